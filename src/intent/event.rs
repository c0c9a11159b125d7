//! Event triggers: "when a deal moves to Closed Won", "whenever a task is created", "when
//! a new Typeform response arrives", "after checkout", "for each failed payment", "if an
//! invoice record gets removed", "when a ticket's state changes to Blocked", "if a
//! review gets a score of 1", and buttons ("when an admin clicks 'Send update'", "add a
//! 'Send list' button").

use serde::{Deserialize, Serialize};

#[path = "event_words.rs"]
mod words;
use words::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Updated,
    Deleted,
    FieldChanged,
    /// A threshold or condition ("stock is low", "drops below").
    Condition,
    /// A person presses a button in the app.
    Clicked,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The clause it was read from.
    pub text: String,
    /// The thing that changes, as written and singular ("deal", "task", "response").
    pub subject: Option<String>,
    pub change: Change,
    /// The value a field moves to ("Closed Won", "high priority", "urgent").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The field the request names for that value ("stage" in "the Closed Won stage",
    /// "priority" in "high priority"), so that the wiring need not guess it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    /// Words before the subject that narrow it ("critical" in "a critical incident").
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub qualifier: Option<String>,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

/// The first event trigger in the request, if any.
pub fn find(original: &str) -> Option<Event> {
    find_folded(&crate::intent::text::fold(original), original)
}

/// As `find`, with the request already folded (`lower == fold(original)`, so the offsets
/// found in one slice the other).
pub fn find_folded(lower: &str, original: &str) -> Option<Event> {
    if lower.len() != original.len() {
        return None;
    }
    if let Some(button) = button(lower, original) {
        return Some(button);
    }
    let mut at = 0;
    while let Some(m) = CLAUSE.find_at(lower, at) {
        at = m.end();
        let clause = m.as_str();
        let head = clause.split_whitespace().next().unwrap_or("");
        // "on my calendar when a task is marked…": the clause starts at "when", not at a
        // weaker opener before it.
        if WEAK_HEADS.contains(&head)
            && let Some(strong) = clause.get(head.len()..).and_then(|rest| STRONG_HEAD.find(rest))
        {
            at = m.start() + head.len() + strong.start();
            continue;
        }
        let verbless = ["for", "any", "anytime"].contains(&head);
        let adjective = verbless && FOR_EACH.is_match(clause) && ADJ_STATE.is_match(clause);
        let change = match classify(clause) {
            // "for every completed task", "for each paid invoice": each record reaching a state.
            None | Some(Change::Created) if adjective => Change::FieldChanged,
            Some(c) => c,
            // "for each critical bug": each new record, said without a verb.
            None if verbless && FOR_EACH.is_match(clause) => Change::Created,
            None => continue,
        };
        // "every"/"each"/"on" open a clause only before "new …" or a verb of change
        // ("every new signup", "on new orders"); "every day" is a schedule.
        let second = clause.split_whitespace().nth(1).unwrap_or("");
        let timely = TIME_WORDS.contains(&second)
            || crate::intent::schedule::is_calendar_word(second)
            || second.starts_with(|c: char| c.is_ascii_digit());
        if matches!(head, "every" | "each" | "on")
            && (timely || !(CREATED.is_match(clause) || STATUS_WORD.is_match(clause) || VALUE.is_match(clause)))
            && !DELETED.is_match(clause)
        {
            continue;
        }
        // "when a task is done post it in #team": the clause ends where an order begins.
        let end = m.start() + order_at(clause).unwrap_or(clause.len());
        let clause = lower.get(m.start()..end).unwrap_or(clause);
        let (value, field) = value_and_field(clause, m.start(), original);
        let (subject, qualifier, owner_field) = subject(clause);
        // "when a ticket's priority changes": a change of that field, to any value.
        let change = if change == Change::Updated && owner_field.is_some() { Change::FieldChanged } else { change };
        let field = field.or(owner_field.filter(|_| value.is_some() || change == Change::FieldChanged));
        return Some(Event {
            text: original.get(m.start()..end).unwrap_or("").trim().to_owned(),
            subject,
            change,
            field,
            value,
            qualifier,
            start: m.start(),
            end,
        });
    }
    None
}

/// Where an order to do something starts inside an event clause: a verb in its plain
/// form ("post", not "posts" or "posted") after the clause's own words, and not after a
/// person who does it ("when I post").
fn order_at(clause: &str) -> Option<usize> {
    let mut words = clause.char_indices().filter(|(i, c)| {
        c.is_alphabetic() && clause.get(..*i).and_then(|b| b.chars().next_back()).is_none_or(|p| !p.is_alphanumeric())
    });
    let mut previous = "";
    let mut count = 0;
    for (i, _) in words.by_ref() {
        let word = clause.get(i..).unwrap_or("").split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
        count += 1;
        // "a new email" is a noun, not an order to email.
        if count > 3
            && ORDERS.contains(&word)
            && !DOERS.contains(&previous)
            && !ARTICLES.contains(&previous)
            && !["this", "that", "his", "her", "its", "no"].contains(&previous)
        {
            return Some(i);
        }
        previous = word;
    }
    None
}

/// "when an admin clicks 'Send update'", "put an 'Export members' button on the Admin page".
fn button(lower: &str, original: &str) -> Option<Event> {
    let m = CLICK.find(lower).or_else(|| BUTTON.find(lower))?;
    let before = lower.get(..m.start())?;
    let sentence = before.rfind(['.', '!', '?', ';']).map(|i| i + 1).unwrap_or(0);
    let start = CLAUSE.find_at(lower, sentence).filter(|c| c.start() <= m.start()).map_or(m.start(), |c| c.start());
    let label = original.get(m.start()..m.end()).and_then(quoted).or_else(|| {
        BUTTON.captures(lower).and_then(|c| c.get(1)).and_then(|g| original.get(g.start()..g.end())).map(title)
    });
    Some(Event {
        text: original.get(start..m.end()).unwrap_or("").trim().to_owned(),
        subject: Some("button".into()),
        change: Change::Clicked,
        value: label.filter(|l| !l.is_empty()),
        field: None,
        qualifier: None,
        start,
        end: m.end(),
    })
}

fn classify(clause: &str) -> Option<Change> {
    if VALUE.is_match(clause) || STATUS_WORD.is_match(clause) || FIELD_OF.is_match(clause) {
        Some(Change::FieldChanged)
    } else if CONDITION.is_match(clause) {
        Some(Change::Condition)
    } else if DELETED.is_match(clause) {
        Some(Change::Deleted)
    } else if CREATED.is_match(clause) {
        Some(Change::Created)
    } else if UPDATED.is_match(clause) {
        Some(Change::Updated)
    } else {
        None
    }
}

/// The value a field moves to and the field, when the clause names them: "moves to the
/// Closed Won stage", "changes stage to Negotiation", "gets a score of 1", "is checked off".
fn value_and_field(clause: &str, offset: usize, original: &str) -> (Option<String>, Option<String>) {
    let raw = |g: Option<regex::Match<'_>>| {
        let g = g?;
        original.get(offset + g.start()..offset + g.end()).map(clean_value).filter(|v| !v.is_empty())
    };
    if let Some(c) = FIELD_OF.captures(clause) {
        if c.get(3).is_some() {
            return (raw(c.get(4)), Some("assignee".into()));
        }
        return (raw(c.get(2)), c.get(1).map(|f| f.as_str().to_owned()));
    }
    if let Some(c) = VALUE.captures(clause) {
        let value = raw(c.get(2));
        let field = c.get(1).map(|f| f.as_str().to_owned()).or_else(|| field_named(clause));
        return (value, field);
    }
    let status = STATUS_WORD
        .captures(clause)
        .and_then(|c| c.get(1).or(c.get(2)))
        .or_else(|| ADJ_STATE.captures(clause).and_then(|c| c.get(1)))
        .map(|g| g.as_str());
    match status {
        Some(s) if s.contains("off") => (Some("done".into()), None),
        Some("fails") => (Some("failed".into()), None),
        Some("completes") => (Some("completed".into()), None),
        Some("finishes") => (Some("finished".into()), None),
        Some(s) => (Some(s.to_owned()), field_named(clause)),
        None => (None, None),
    }
}

/// The noun the clause is about (the word after an article, or the first plausible
/// noun), the words that narrow it ("critical" in "a critical incident"), and the field
/// a possessive names ("state" in "an order's state").
fn subject(clause: &str) -> (Option<String>, Option<String>, Option<String>) {
    let words: Vec<&str> =
        clause.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).skip(1).collect();
    let mut after_article = false;
    for (i, w) in words.iter().enumerate() {
        if ARTICLES.contains(w) {
            after_article = true;
            continue;
        }
        if !after_article || NOT_SUBJECTS.contains(w) {
            continue;
        }
        // "an order's state": the owner is the subject, the possessed word its field.
        if words.get(i + 1) == Some(&"s")
            && let Some(field) = words.get(i + 2).filter(|f| !is_verbish(f) && !ARTICLES.contains(*f))
        {
            return (Some(crate::intent::text::singular(w)), None, Some((*field).to_owned()));
        }
        // "a new Typeform response": the head noun is the last of a short noun run.
        let run: Vec<&str> = words[i..]
            .iter()
            .take_while(|x| {
                // "an email labeled Leads": a participle ends the noun run.
                let participle = x.len() > 4 && x.ends_with("ed");
                !is_verbish(x) && !participle && !ARTICLES.contains(*x) && !STRONG_HEAD.is_match(x) && **x != "s"
            })
            .take(3)
            .copied()
            .collect();
        // "an invoice record": a generic head takes the word before it.
        let head_at = match run.as_slice() {
            [.., before, last] if GENERIC_HEADS.contains(last) && !NOT_QUALIFIERS.contains(before) => run.len() - 2,
            _ => run.len().saturating_sub(1),
        };
        let narrowing = &run[..head_at];
        let qualifier = (!narrowing.is_empty() && narrowing.iter().all(|w| !NOT_QUALIFIERS.contains(w)))
            .then(|| narrowing.join(" "));
        return (run.get(head_at).map(|w| crate::intent::text::singular(w)), qualifier, None);
    }
    let head =
        words.iter().find(|w| !NOT_SUBJECTS.contains(w) && !is_verbish(w)).map(|w| crate::intent::text::singular(w));
    (head, None, None)
}

/// The verb of the event clause in its base form ("applies" → "apply", "submits" →
/// "submit"), so that the wiring can find the record a person's act creates (an
/// applicant, a submission) even when the clause names the person instead.
pub fn verb_of(event: &Event) -> Option<String> {
    let lower = crate::intent::text::fold(&event.text);
    ACT.captures(&lower).and_then(|c| c.get(1)).map(|v| base_form(v.as_str()))
}

/// True for a verb that gives an order when written plainly ("post", "send", "email").
pub fn is_order(word: &str) -> bool {
    ORDERS.contains(&word.to_lowercase().as_str())
}

/// True when the clause opens with a weak word and no verb ("for each overdue task"):
/// next to a schedule, the schedule is what starts the flow.
pub fn is_weak(event: &Event) -> bool {
    let lower = crate::intent::text::fold(&event.text);
    let head = lower.split_whitespace().next().unwrap_or("");
    ["for", "every", "each", "any"].contains(&head) && classify(&lower) != Some(event.change)
}

fn base_form(verb: &str) -> String {
    if let Some((first, rest)) = verb.split_once(' ') {
        return format!("{} {rest}", base_form(first));
    }
    if let Some(stem) = verb.strip_suffix("ies") {
        format!("{stem}y")
    } else if verb.ends_with("ches") || verb.ends_with("shes") || verb.ends_with("sses") {
        verb[..verb.len() - 2].to_owned()
    } else if let Some(stem) = verb.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        stem.to_owned()
    } else {
        verb.to_owned()
    }
}

/// The field a value belongs to, when the clause names it: "to the Closed Won stage",
/// "marked as high priority", "status changes to shipped".
fn field_named(clause: &str) -> Option<String> {
    FIELD_WORD.captures(clause).map(|c| c[1].to_owned())
}

fn clean_value(raw: &str) -> String {
    let v = raw.trim().trim_matches(|c| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'));
    let words: Vec<&str> = v
        .split_whitespace()
        .filter(|w| !matches!(w.to_lowercase().as_str(), "stage" | "status" | "column" | "list" | "state"))
        .collect();
    words.join(" ")
}

fn quoted(s: &str) -> Option<String> {
    let open = s.find(['"', '\'', '“', '‘'])?;
    let rest = s.get(open + s.get(open..)?.chars().next()?.len_utf8()..)?;
    let close = rest.find(['"', '\'', '”', '’'])?;
    rest.get(..close).map(str::to_owned)
}

/// "sync now" → "Sync now".
fn title(s: &str) -> String {
    let s = s.trim().trim_matches(|c| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'));
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
