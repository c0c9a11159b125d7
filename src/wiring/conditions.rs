//! Which records a flow is about, read from the request's words against one entity's
//! fields: open or finished ("the errands no one has finished"), overdue, a priority or
//! severity ("urgent requests"), an amount ("orders over $500", "a rating above 4"), a
//! kind of sender ("from a customer"), "assigned to me", an empty field ("submissions
//! without a grade"), a date within the next N days ("renewing in the next 30 days"), and
//! states ("confirmed bookings", "out of stock products"). A field the words need but the
//! entity lacks is reported, so that the builder is offered to add it instead of getting
//! a flow that quietly ignores the words.

use super::definition::{Condition, Op};
use super::fields;
use crate::app::Entity;
use regex::Captures;
use serde_json::{Value, json};

#[path = "conditions_words.rs"]
mod words;
use words::*;

/// What the words ask of the records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    pub conditions: Vec<Condition>,
    /// Fields the words name that the entity lacks ("priority").
    pub missing: Vec<String>,
    /// Words read but not expressible on this entity, said to the builder.
    pub notes: Vec<String>,
}

impl Found {
    fn add(&mut self, c: Condition) {
        if !self.conditions.iter().any(|x| x.field == c.field && x.op == c.op) {
            self.conditions.push(c);
        }
    }

    fn lack(&mut self, field: &str) {
        if !self.missing.iter().any(|m| m == field) {
            self.missing.push(field.to_owned());
        }
    }
}

/// Reads the conditions `lower` (the folded request, or the part of it that picks
/// records) puts on `entity`'s records. `me` is who "me" is.
pub fn read(lower: &str, entity: &Entity, me: &str) -> Found {
    let mut found = Found::default();
    open_or_done(lower, entity, &mut found);
    for c in PRIORITY.captures_iter(lower) {
        if c.get(4).is_some_and(|noun| !about(noun.as_str(), entity)) {
            continue;
        }
        let value = c.get(1).or(c.get(2)).or(c.get(3)).map_or("", |m| m.as_str());
        match ["priority", "severity", "urgency", "importance", "level"].iter().find_map(|w| fields::named(entity, w)) {
            Some(field) => found.add(Condition::new(field, Op::Eq, value)),
            None => found.lack("priority"),
        }
    }
    for c in AMOUNT.captures_iter(lower) {
        amount(lower, &c, entity, &mut found);
    }
    for c in WITHIN.captures_iter(lower) {
        let word = c.get(1).or(c.get(4)).map_or("", |m| m.as_str());
        let n = c.get(2).or(c.get(5)).and_then(|m| number(m.as_str())).unwrap_or(1);
        let unit = c.get(3).or(c.get(6)).map_or("day", |m| m.as_str());
        within(word, &span(n, unit), entity, &mut found);
    }
    for c in LAST.captures_iter(lower) {
        let word = c.get(1).map_or("", |m| m.as_str());
        let n = c.get(2).and_then(|m| number(m.as_str())).unwrap_or(1);
        let unit = c.get(3).map_or("day", |m| m.as_str());
        let field = past_date(word, entity);
        found.add(Condition::new(field, Op::WithinLast, span(n, unit)));
    }
    for c in TODAYS.captures_iter(lower) {
        let noun = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
        // Tomorrow's records are those of the next two days, so that a run in the evening
        // still covers all of tomorrow.
        let span = if c.get(1).or(c.get(4)).is_some_and(|d| d.as_str() == "tomorrow") { "P2D" } else { "P1D" };
        if about(noun, entity)
            && let Some(date) =
                fields::dates(entity).into_iter().find(|d| !d.ends_with("created_at") && !d.ends_with("updated_at"))
        {
            found.add(Condition::new(date, Op::WithinNext, span));
        }
    }
    for c in WITHIN_WORD.captures_iter(lower) {
        let span = match &c[2] {
            "today" => "P1D",
            "tomorrow" => "P2D",
            "this month" => "P1M",
            _ => "P7D",
        };
        within(&c[1], span, entity, &mut found);
    }
    for c in EMPTY.captures_iter(lower) {
        let word = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        if IGNORED_EMPTY.contains(&word) || word.len() < 3 {
            continue;
        }
        let whole = c.get(0).map_or("", |m| m.as_str());
        // "without delay" is no field; "doesn't have a due date" surely names one.
        let sure =
            whole.contains("have") || [" a ", " an ", " any ", " is ", " are "].iter().any(|a| whole.contains(a));
        match fields::named(entity, word) {
            Some(field) => found.add(Condition { field: field.to_owned(), op: Op::IsEmpty, value: None }),
            None if sure => found.lack(word),
            None => {}
        }
    }
    for c in UN_WORD.captures_iter(lower) {
        un_word(&c[1], entity, &mut found);
    }
    if let Some(c) = ASSIGNED.captures(lower) {
        let who = c.get(1).map_or("me", |m| m.as_str());
        let value = if ["me", "myself"].contains(&who) { me.to_owned() } else { who.to_owned() };
        match ["assignee", "assigned_to", "owner", "assignee_email", "assigned"]
            .iter()
            .find_map(|w| fields::named(entity, w))
        {
            Some(field) => found.add(Condition::new(field, Op::Eq, value)),
            None => found.lack("assignee"),
        }
    }
    if let Some(c) = FROM_KIND.captures(lower) {
        from_kind(&c[1], entity, &mut found);
    }
    flags_before(lower, entity, &mut found);
    for c in STATE_AFTER.captures_iter(lower) {
        state(&c[2], c.get(1).is_some(), entity, &mut found);
    }
    for c in NOT_FLAG.captures_iter(lower) {
        if let Some(flag) = fields::named_as(entity, &c[1]).filter(|f| fields::is_flag(entity, f)) {
            found.add(Condition::new(flag, Op::Eq, false));
        }
    }
    for c in STATE.captures_iter(lower) {
        if about(&c[3], entity) {
            state(&c[2], c.get(1).is_some(), entity, &mut found);
        }
    }
    found
}

/// The words of the request that pick records, for flows that cannot filter on them (a
/// connector's trigger): "from a customer", "over $500", "urgent".
pub fn mentioned(lower: &str) -> Vec<String> {
    [&*FROM_KIND, &*AMOUNT, &*OVERDUE, &*ASSIGNED]
        .iter()
        .flat_map(|re| re.find_iter(lower).map(|m| m.as_str().trim().to_owned()))
        .chain(
            PRIORITY
                .captures_iter(lower)
                .filter(|c| c.get(4).is_none())
                .filter_map(|c| c.get(0))
                .map(|m| m.as_str().to_owned()),
        )
        .collect()
}

fn open_or_done(lower: &str, entity: &Entity, found: &mut Found) {
    let overdue = OVERDUE.is_match(lower);
    let open_word = OPEN.find(lower).map(|m| m.as_str().split_whitespace().next().unwrap_or("").to_owned());
    let open = overdue || NOT_DONE.is_match(lower) || open_word.is_some();
    let done_word =
        DONE.captures(lower).filter(|_| !open).and_then(|c| c.get(1).or(c.get(2))).map(|m| m.as_str().to_owned());
    let done = done_word.is_some();
    if overdue {
        let due = fields::named(entity, "due")
            .or_else(|| fields::named(entity, "deadline"))
            .filter(|f| fields::is_date(entity, f))
            .or_else(|| fields::dates(entity).first().copied());
        match due {
            Some(due) => found.add(Condition::new(due, Op::Lt, "{{trigger.fired_at}}")),
            None => found.lack("due_date"),
        }
    }
    if !(open || done) {
        return;
    }
    match fields::done_flag(entity) {
        Some(flag) => found.add(Condition::new(flag, Op::Eq, done)),
        None => match fields::status(entity) {
            // The word itself is the likeliest status value: "closed tickets", "open requests".
            Some(status) if done => found.add(Condition::new(status, Op::Eq, done_word.unwrap_or_default())),
            Some(status) if open_word.as_deref() == Some("open") => found.add(Condition::new(status, Op::Eq, "open")),
            Some(status) => found.add(Condition::new(status, Op::Ne, "done")),
            None if !overdue => found.lack("done"),
            None => {}
        },
    }
}

/// "over $500", "a rating above 4", "at least 3 guests": the number field named just
/// before, else the entity's amount, else its only number.
fn amount(lower: &str, c: &Captures<'_>, entity: &Entity, found: &mut Found) {
    let Some(whole) = c.get(0) else { return };
    let after = lower.get(whole.end()..).unwrap_or("").trim_start();
    if TIME_UNITS.iter().any(|u| after.starts_with(u)) {
        return;
    }
    let op = match c.get(1).map_or("", |m| m.as_str()) {
        w if w.starts_with("at least") || w == ">=" || w.starts_with("no less") => Op::Gte,
        w if w.starts_with("at most") || w == "<=" || w.starts_with("no more") || w.starts_with("up to") => Op::Lte,
        w if ["under", "below", "less", "lower", "fewer", "<", "beneath", "cheaper"]
            .iter()
            .any(|p| w.starts_with(p)) =>
        {
            Op::Lt
        }
        _ => Op::Gt,
    };
    let digits = c.get(3).map_or("", |m| m.as_str()).replace(',', "");
    let Ok(mut n) = digits.parse::<f64>() else { return };
    match c.get(4).map(|m| m.as_str()) {
        Some("k") => n *= 1_000.0,
        Some("m") => n *= 1_000_000.0,
        _ => {}
    }
    let money = c.get(2).is_some() || c.get(5).is_some();
    let before: Vec<&str> = lower.get(..whole.start()).unwrap_or("").split_whitespace().rev().take(5).collect();
    // A field named just before counts when it holds numbers (or the entity types none).
    let untyped = fields::numbers(entity).is_empty();
    let named = before.iter().find_map(|w| {
        let w = w.trim_matches(|ch: char| !ch.is_alphanumeric());
        fields::named(entity, w)
            .filter(|f| fields::is_number(entity, f) || (untyped && !STOP.contains(&w) && w.len() > 3))
    });
    let amount = || fields::named(entity, "amount").filter(|f| fields::is_number(entity, f) || untyped);
    let field = (if money { amount().or(named) } else { named })
        .or_else(|| money.then(amount).flatten())
        .or_else(|| fields::numbers(entity).first().copied().filter(|_| fields::numbers(entity).len() == 1));
    let value = if n.fract() == 0.0 && n.abs() < 1e15 { json!(n as i64) } else { json!(n) };
    match field {
        Some(f) => found.add(Condition { field: f.to_owned(), op, value: Some(value) }),
        None => found.lack(if money { "amount" } else { before.first().copied().unwrap_or("amount") }),
    }
}

/// True when `noun` names the entity's records ("requests", "ones", "items").
fn about(noun: &str, entity: &Entity) -> bool {
    let one = crate::intent::text::singular(noun);
    crate::intent::data::names_entity(&one, &entity.name) || ["one", "item", "record", "entry"].contains(&one.as_str())
}

/// An ISO 8601 duration of `n` units.
fn span(n: u32, unit: &str) -> String {
    match unit.chars().next() {
        Some('h') => format!("PT{n}H"),
        Some('w') => format!("P{}D", n * 7),
        Some('m') => format!("P{n}M"),
        _ => format!("P{n}D"),
    }
}

/// "renewing in the next 30 days", "due within 3 days", "due this week".
fn within(word: &str, duration: &str, entity: &Entity, found: &mut Found) {
    let stem = word.trim_end_matches("ing").trim_end_matches('e');
    let field = (stem.len() >= 2)
        .then(|| fields::dates(entity).into_iter().find(|f| f.contains(stem)))
        .flatten()
        .or_else(|| fields::named(entity, word).filter(|f| fields::is_date(entity, f)))
        .or_else(|| fields::dates(entity).first().copied());
    match field {
        Some(f) => found.add(Condition::new(f, Op::WithinNext, duration)),
        None => found.lack("date"),
    }
}

/// The date a past period is measured on: a date field the verb names ("joined" →
/// `joined_on`, "paid" → `paid_at`), else when the record was made.
fn past_date<'e>(word: &str, entity: &'e Entity) -> &'e str {
    let stem = word.trim_end_matches("ed").trim_end_matches('e');
    let named = (stem.len() >= 3).then(|| fields::dates(entity).into_iter().find(|f| f.starts_with(stem))).flatten();
    named.unwrap_or(if ["updated", "changed", "edited", "modified"].contains(&word) {
        "updated_at"
    } else {
        "created_at"
    })
}

/// "ungraded", "unassigned", "unpaid": a yes/no field false, else the field empty.
fn un_word(stem: &str, entity: &Entity, found: &mut Found) {
    if ["finished", "completed", "resolved", "done"].contains(&stem) {
        return;
    }
    if let Some(flag) = fields::named_as(entity, stem).filter(|f| fields::is_flag(entity, f)) {
        found.add(Condition::new(flag, Op::Eq, false));
        return;
    }
    let roots = [stem, stem.trim_end_matches('d'), stem.trim_end_matches("ed")];
    let field = roots.iter().find_map(|r| fields::named(entity, r)).or_else(|| {
        let root = roots[2];
        (root.len() >= 4).then(|| entity.fields.iter().find(|f| f.name.starts_with(root)).map(|f| f.name.as_str()))?
    });
    if let Some(field) = field {
        found.add(Condition { field: field.to_owned(), op: Op::IsEmpty, value: None });
    }
}

/// "from a customer": the field that says what kind of person or source a record is.
fn from_kind(kind: &str, entity: &Entity, found: &mut Found) {
    let kind = crate::intent::text::singular(kind);
    if let Some(flag) = fields::named_as(entity, &format!("is_{kind}")).filter(|f| fields::is_flag(entity, f)) {
        found.add(Condition::new(flag, Op::Eq, true));
        return;
    }
    match KIND_FIELDS.iter().find_map(|w| fields::named_as(entity, w)) {
        Some(field) => found.add(Condition::new(field, Op::Eq, kind)),
        None => found.notes.push(format!(
            "{} has no field that says whether it comes from a {kind}, so every {} starts the flow",
            entity.name,
            entity.name.to_lowercase()
        )),
    }
}

/// A yes/no field's own name before the records' noun: "escalated tickets", "not
/// archived notes".
fn flags_before(lower: &str, entity: &Entity, found: &mut Found) {
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    for (i, pair) in words.windows(2).enumerate() {
        let Some(flag) = fields::named_as(entity, pair[0]).filter(|f| fields::is_flag(entity, f)) else { continue };
        if about(pair[1], entity) {
            let negated = i > 0 && matches!(words[i - 1], "not" | "non");
            found.add(Condition::new(flag, Op::Eq, !negated));
        }
    }
}

/// "confirmed bookings", "active members", "out of stock products".
fn state(word: &str, negated: bool, entity: &Entity, found: &mut Found) {
    let word = word.trim();
    let flag_name = word.replace(' ', "_");
    if let Some(flag) = fields::named_as(entity, &flag_name).filter(|f| fields::is_flag(entity, f)) {
        found.add(Condition::new(flag, Op::Eq, !negated));
        return;
    }
    if word == "out of stock" || word == "in stock" {
        if let Some(flag) = fields::named_as(entity, "in_stock").filter(|f| fields::is_flag(entity, f)) {
            found.add(Condition::new(flag, Op::Eq, word == "in stock"));
        } else if let Some(qty) = fields::named(entity, "stock") {
            let op = if word == "in stock" { Op::Gt } else { Op::Lte };
            found.add(Condition::new(qty, op, 0));
        }
        return;
    }
    if let Some(status) = fields::status(entity) {
        let op = if negated { Op::Ne } else { Op::Eq };
        found.add(Condition { field: status.to_owned(), op, value: Some(Value::String(word.to_owned())) });
    }
}

fn number(word: &str) -> Option<u32> {
    NUMBER_WORDS.iter().find(|(w, _)| *w == word).map(|(_, n)| *n).or_else(|| word.parse().ok())
}

#[cfg(test)]
#[path = "conditions_tests.rs"]
mod tests;
