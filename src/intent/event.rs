//! Event triggers: "when a deal moves to Closed Won", "whenever a task is created", "when
//! a new Typeform response arrives", "after checkout", "for each failed payment", and
//! buttons ("when an admin clicks 'Send update'").

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

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

static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:when(?:ever)?|once|as soon as|each time|every time|any ?time|if|after|upon|on|for (?:each|every)|every|each)\b[^,.;!?]*")
        .expect("clause regex")
});
static CLICK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:clicks?|presses|press|taps?|hits?|pushes)\b\s+(?:on\s+)?(?:the\s+|a\s+)?(?:"[^"]+"|'[^']+'|“[^”]+”|[a-z ]{0,20}\bbutton)"#).expect("click regex")
});
static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:marked\s+(?:as\s+)?|moves?\s+to\s+|moved\s+to\s+|changes?\s+to\s+|changed\s+to\s+|set\s+to\s+|becomes?\s+|reaches\s+|goes\s+to\s+|is\s+now\s+|switch(?:es|ed)?\s+to\s+|flagged\s+(?:as\s+)?)(?:the\s+)?("[^"]+"|'[^']+'|[a-z0-9-]+(?:\s+[a-z0-9-]+){0,2})"#)
        .expect("value regex")
});
static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:drops?|falls?|goes|rises?|exceeds?|is)\s+(?:below|above|under|over|low|high|out)\b|\bthreshold\b|\b(?:is|are|gets?|runs?)\s+(?:low|overdue|late|expired|expiring|approaching|due)\b|\bdeadlines?\s+(?:are|is)\s+approaching\b")
        .expect("condition regex")
});
static CREATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bnew\b|\bcreated\b|\badded\b|\bsigns?\s+up\b|\bsigned\s+up\b|\bsignups?\b|\bsubmit(?:s|ted)?\b|\barrives?\b|\bcomes?\s+in\b|\b(?:is|are|was|were|gets?)\s+placed\b|\bplaces?\b|\bbooks?\b|\b(?:is|are|was|were|gets?)\s+booked\b|\bregisters?\b|\bjoins?\b|\b(?:is|are|was|were|gets?)\s+reported\b|\breports?\b|\b(?:is|are|was|were|gets?)\s+filed\b|\blands?\b|\b(?:is|are|was|were|gets?)\s+received\b|\breceives?\b|\b(?:is|are|was|were|gets?)\s+uploaded\b|\b(?:is|are|was|were|gets?)\s+made\b|\b(?:is|are|was|were|gets?)\s+opened\b|\bcreation\b|\b(?:is|are|was|were|gets?)\s+posted\b|\bpublish(?:es|ed)?\b|\boccurs?\b|\bhappens?\b|\bfails?\b|\bfailed\b|\bcheckout\b|\bsucceeds?\b|\b(?:is|are|was|were|gets?)\s+sent\b")
        .expect("created regex")
});
static UPDATED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bupdated?\b|\bchanges?\b|\bedited\b|\bmodified\b").expect("updated regex"));
static DELETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bdeleted\b|\bremoved\b|\bcancel(?:l)?ed\b|\barchived\b").expect("deleted regex"));
static STATUS_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:is|are|was|were|gets?)\s+(approved|confirmed|completed|done|closed|paid|shipped|accepted|rejected|resolved|won|lost|published|released|enabled|disabled|signed|delivered|finished|assigned|escalated|urgent)\b|\b(closes|ships|completes|finishes|resolves)\b")
        .expect("status regex")
});

/// Openers that mark an event clause more surely than "on", "each" or "if".
static STRONG_HEAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:when(?:ever)?|as soon as|each time|every time)\b").expect("strong head regex"));
static FIELD_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(stage|status|state|priority|severity|level|category|type|tier)\b").expect("field word regex")
});

const NOT_QUALIFIERS: [&str; 12] =
    ["after", "before", "upon", "during", "until", "into", "about", "than", "while", "per", "via", "through"];
const ARTICLES: [&str; 12] = ["a", "an", "the", "new", "each", "every", "any", "some", "my", "our", "your", "their"];
const NOT_SUBJECTS: [&str; 22] = [
    "is", "are", "was", "gets", "get", "moves", "someone", "somebody", "anyone", "user", "it", "they", "i", "we",
    "you", "there", "time", "day", "week", "month", "morning", "night",
];

/// The first event trigger in the request, if any.
pub fn find(original: &str) -> Option<Event> {
    find_folded(&crate::intent::text::fold(original), original)
}

/// As `find`, with the request already folded (`lower == fold(original)`, so the offsets
/// found in one slice the other).
pub fn find_folded(lower: &str, original: &str) -> Option<Event> {
    debug_assert_eq!(lower.len(), original.len());
    if let Some(m) = CLICK.find(lower) {
        let start = lower[..m.start()].rfind([',', '.']).map(|i| i + 1).unwrap_or(0);
        let clause_start =
            CLAUSE.find_at(lower, start).filter(|c| c.start() <= m.start()).map(|c| c.start()).unwrap_or(m.start());
        return Some(Event {
            text: original[clause_start..m.end()].trim().to_owned(),
            subject: Some("button".into()),
            change: Change::Clicked,
            value: quoted(&original[m.start()..m.end()]),
            field: None,
            qualifier: None,
            start: clause_start,
            end: m.end(),
        });
    }
    let mut at = 0;
    while let Some(m) = CLAUSE.find_at(lower, at) {
        at = m.end();
        let clause = m.as_str();
        let head = clause.split_whitespace().next().unwrap_or("");
        // "on my calendar when a task is marked…": the clause starts at "when", not at a
        // weaker opener before it.
        if matches!(head, "every" | "each" | "on" | "if" | "after" | "upon" | "for")
            && let Some(strong) = STRONG_HEAD.find(&clause[head.len()..])
        {
            at = m.start() + head.len() + strong.start();
            continue;
        }
        // "every"/"each"/"on" open a clause only before "new …" or a created-style verb
        // ("every new signup", "on new orders"); "every day" is a schedule.
        if matches!(head, "every" | "each" | "on" | "if" | "after")
            && !CREATED.is_match(clause)
            && !STATUS_WORD.is_match(clause)
            && !VALUE.is_match(clause)
            && !CONDITION.is_match(clause)
        {
            continue;
        }
        let change = classify(clause);
        let Some(change) = change else { continue };
        let value = VALUE
            .captures(clause)
            .map(|c| {
                clean_value(
                    &original
                        [m.start() + c.get(1).map_or(0, |g| g.start())..m.start() + c.get(1).map_or(0, |g| g.end())],
                )
            })
            .or_else(|| STATUS_WORD.captures(clause).and_then(|c| c.get(1)).map(|g| g.as_str().to_owned()));
        let (subject, qualifier) = subject(clause);
        return Some(Event {
            text: original[m.start()..m.end()].trim().to_owned(),
            subject,
            change,
            field: value.as_ref().and_then(|_| field_named(clause)),
            value,
            qualifier,
            start: m.start(),
            end: m.end(),
        });
    }
    None
}

fn classify(clause: &str) -> Option<Change> {
    if VALUE.is_match(clause) || STATUS_WORD.is_match(clause) {
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

/// The noun the clause is about (the word after an article, or the first plausible noun),
/// and the words that narrow it ("critical" in "a critical incident").
fn subject(clause: &str) -> (Option<String>, Option<String>) {
    let words: Vec<&str> =
        clause.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).skip(1).collect();
    let mut after_article = false;
    for (i, w) in words.iter().enumerate() {
        if ARTICLES.contains(w) {
            after_article = true;
            continue;
        }
        if after_article && !NOT_SUBJECTS.contains(w) {
            // "a new Typeform response": the head noun is the last of a short noun run.
            let run: Vec<&str> = words[i..]
                .iter()
                .take_while(|x| !is_verbish(x) && !ARTICLES.contains(*x) && !STRONG_HEAD.is_match(x))
                .take(3)
                .copied()
                .collect();
            let narrowing = &run[..run.len().saturating_sub(1)];
            let qualifier = (!narrowing.is_empty() && narrowing.iter().all(|w| !NOT_QUALIFIERS.contains(w)))
                .then(|| narrowing.join(" "));
            return (run.last().map(|w| crate::intent::text::singular(w)), qualifier);
        }
    }
    let head =
        words.iter().find(|w| !NOT_SUBJECTS.contains(w) && !is_verbish(w)).map(|w| crate::intent::text::singular(w));
    (head, None)
}

/// The field a value belongs to, when the clause names it: "to the Closed Won stage",
/// "marked as high priority", "status changes to shipped".
fn field_named(clause: &str) -> Option<String> {
    FIELD_WORD.captures(clause).map(|c| c[1].to_owned())
}

fn is_verbish(w: &str) -> bool {
    matches!(
        w,
        "is" | "are"
            | "was"
            | "gets"
            | "get"
            | "moves"
            | "moved"
            | "changes"
            | "changed"
            | "comes"
            | "arrives"
            | "signs"
            | "drops"
            | "falls"
            | "becomes"
            | "reaches"
            | "closes"
            | "ships"
            | "lands"
            | "occurs"
            | "happens"
            | "fails"
            | "succeeds"
            | "in"
            | "to"
            | "from"
            | "on"
            | "at"
            | "of"
            | "for"
            | "with"
            | "and"
            | "or"
            | "by"
            | "up"
            | "creation"
            | "created"
            | "added"
            | "submitted"
            | "placed"
            | "booked"
            | "marked"
    )
}

fn clean_value(raw: &str) -> String {
    let v = raw.trim().trim_matches(|c| c == '"' || c == '\'');
    let words: Vec<&str> = v
        .split_whitespace()
        .filter(|w| !matches!(w.to_lowercase().as_str(), "stage" | "status" | "column" | "list" | "state"))
        .collect();
    words.join(" ")
}

fn quoted(s: &str) -> Option<String> {
    let open = s.find(['"', '\'', '“'])?;
    let rest = &s[open + s[open..].chars().next()?.len_utf8()..];
    let close = rest.find(['"', '\'', '”'])?;
    Some(rest[..close].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(text: &str) -> Event {
        find_folded(&text.to_lowercase(), text).unwrap_or_else(|| panic!("no event in {text:?}"))
    }

    #[test]
    fn a_field_moving_to_a_value() {
        let e = event("Email my team from Gmail when a deal moves to the Closed Won stage.");
        assert_eq!(
            (e.change, e.subject.as_deref(), e.value.as_deref()),
            (Change::FieldChanged, Some("deal"), Some("Closed Won"))
        );
        let e = event("Send a Gmail alert when a new task is marked as high priority.");
        assert_eq!((e.change, e.value.as_deref()), (Change::FieldChanged, Some("high priority")));
    }

    #[test]
    fn records_being_created() {
        let e = event("Post a message to the #support channel when a new ticket is created.");
        assert_eq!((e.change, e.subject.as_deref()), (Change::Created, Some("ticket")));
        let e = event("Add a new user to Notion on Calendly invite creation");
        assert_eq!(e.change, Change::Created);
        let e = event("When a new Typeform response arrives, add a row");
        assert_eq!((e.change, e.subject.as_deref()), (Change::Created, Some("response")));
    }

    #[test]
    fn conditions_and_buttons() {
        assert_eq!(event("gmial me when stock is low").change, Change::Condition);
        let e = event("Post a bot message to the selected Slack channel when an admin clicks \"Send update\".");
        assert_eq!((e.change, e.value.as_deref()), (Change::Clicked, Some("Send update")));
    }

    #[test]
    fn the_field_and_the_narrowing_words_are_kept() {
        let e = event("Email my team from Gmail when a deal moves to the Closed Won stage.");
        assert_eq!(e.field.as_deref(), Some("stage"));
        let e = event("Send a Gmail alert when a new task is marked as high priority.");
        assert_eq!(e.field.as_deref(), Some("priority"));
        let e = event("Create a GitHub issue automatically when a critical incident is created.");
        assert_eq!((e.subject.as_deref(), e.qualifier.as_deref()), (Some("incident"), Some("critical")));
    }

    #[test]
    fn a_weak_opener_gives_way_to_when() {
        let e = event("Block time on my calendar when a task is marked as deep work.");
        assert_eq!((e.subject.as_deref(), e.value.as_deref()), (Some("task"), Some("deep work")));
        assert_eq!(e.text, "when a task is marked as deep work");
    }

    #[test]
    fn plural_subjects_take_are() {
        let e = event("Update HubSpot deal values when orders are placed.");
        assert_eq!((e.change, e.subject.as_deref()), (Change::Created, Some("order")));
    }

    #[test]
    fn schedules_are_not_events() {
        assert!(find("send me a daily email every morning").is_none());
        assert!(find("make the header blue").is_none());
    }
}
