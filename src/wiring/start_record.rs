//! A change to one of the app's records as a flow's start: which change, which field and
//! value for "moves to", which records (the request's conditions), and the headline that
//! announces it ("New ticket: {{trigger.record.subject}}").

use super::{Scene, change_of, typed};
use crate::app::Entity;
use crate::intent::text::{singular, words_of};
use crate::intent::{Change, Event};
use crate::wiring::definition::{Condition, EntityChange};
use crate::wiring::explain::Unbuildable;
use crate::wiring::fields;
use serde_json::Value;

pub struct RecordStart<'a> {
    pub entity: &'a Entity,
    pub change: EntityChange,
    pub field: Option<String>,
    pub to: Option<Value>,
    pub filter: Vec<Condition>,
    /// "New ticket: {{trigger.record.subject}}".
    pub headline: String,
    /// What the conditions could not say on this entity, in words.
    pub notes: Vec<String>,
}

const DONE_VALUES: [&str; 9] =
    ["completed", "done", "complete", "finished", "closed", "resolved", "checked", "checked off", "ticked off"];

/// The record start for `entity`: the event's change (a new record when there is none),
/// the field it watches, and the conditions of the request's other words.
pub fn read<'a>(entity: &'a Entity, event: Option<&Event>, scene: &Scene<'a>) -> Result<RecordStart<'a>, Unbuildable> {
    let mut change = change_of(event);
    // "when an appointment is cancelled": a record with a status is cancelled, not deleted.
    let cancelled =
        event.filter(|_| change == EntityChange::Deleted && fields::status(entity).is_some()).and_then(|e| {
            let lower = e.text.to_lowercase();
            ["cancelled", "canceled", "archived"].into_iter().find(|w| lower.contains(w))
        });
    // "when an RSVP is cancelled" on a record with no status: it goes away.
    let gone =
        event.and_then(|e| e.value.as_deref()).is_some_and(|v| ["cancelled", "canceled", "archived"].contains(&v));
    if change == EntityChange::FieldChanged && gone && fields::status(entity).is_none() {
        change = EntityChange::Deleted;
    }
    let (field, to) = match (change, event, cancelled) {
        (_, _, Some(word)) => {
            change = EntityChange::FieldChanged;
            (fields::status(entity).map(str::to_owned), Some(Value::String(word.to_owned())))
        }
        (EntityChange::FieldChanged, Some(e), _) => changed_field(entity, e, scene.me)?,
        _ => (None, None),
    };
    // A new record's clause narrows which ones ("each critical bug"); a change's
    // clause names the change, which is not a condition on top of it.
    let spans: Vec<(usize, usize)> = match event {
        Some(e) if change != EntityChange::Created => vec![(e.start, e.end)],
        _ => Vec::new(),
    };
    let (mut filter, notes) = scene.conditions(entity, &spans)?;
    if let Some(f) = &field {
        filter.retain(|c| &c.field != f);
    }
    let headline = headline(entity, change, field.as_deref(), to.as_ref());
    Ok(RecordStart { entity, change, field, to, filter, headline, notes })
}

/// A record start for an event that compares a field with a number: a change of the
/// field when the words say it moves ("drops below 10"), else each new record; the
/// comparison filters either way.
pub fn on_limit<'a>(
    entity: &'a Entity,
    event: &Event,
    limit: Condition,
    scene: &Scene<'a>,
) -> Result<RecordStart<'a>, Unbuildable> {
    let lower = event.text.to_lowercase();
    let moving =
        ["drop", "fall", "rise", "climb", "go ", "goes", "reach", "exceed", "hit"].iter().any(|w| lower.contains(w));
    let change = if moving { Change::FieldChanged } else { Change::Created };
    let watched = Event { change, field: Some(limit.field.clone()), value: None, ..event.clone() };
    let mut start = read(entity, Some(&watched), scene)?;
    if !start.filter.contains(&limit) {
        start.filter.push(limit);
    }
    Ok(start)
}

fn headline(entity: &Entity, change: EntityChange, field: Option<&str>, to: Option<&Value>) -> String {
    let title = fields::title(entity).unwrap_or("id");
    let record = format!("{{{{trigger.record.{title}}}}}");
    let label = words_of(&super::super::listing::plural_id(&entity.name)).join(" ");
    let one = {
        let mut words: Vec<String> = label.split(' ').map(str::to_owned).collect();
        if let Some(last) = words.last_mut() {
            *last = singular(last);
        }
        words.join(" ")
    };
    match (change, field, to) {
        (EntityChange::Created, ..) => format!("New {one}: {record}"),
        (EntityChange::Updated, ..) => format!("{} updated: {record}", entity.name),
        (EntityChange::Deleted, ..) => format!("{} deleted: {record}", entity.name),
        (EntityChange::FieldChanged, Some(f), Some(Value::Bool(true))) => {
            format!("{} marked {}: {record}", entity.name, f.replace('_', " "))
        }
        (EntityChange::FieldChanged, Some(f), Some(v)) => {
            let v = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            format!("{} {} is now {v}: {record}", entity.name, f.replace('_', " "))
        }
        (EntityChange::FieldChanged, ..) => format!("{} changed: {record}", entity.name),
    }
}

/// The field a "changed to" event watches and the value it waits for: the field the
/// request names ("stage", "an order's state"); a done-flag for "completed"; a yes/no field
/// named by the value ("approved"); else the status field. A field the app lacks is asked
/// about.
fn changed_field(entity: &Entity, e: &Event, me: &str) -> Result<(Option<String>, Option<Value>), Unbuildable> {
    let value = e.value.clone().unwrap_or_default();
    let value = if ["me", "myself"].contains(&value.as_str()) { me.to_owned() } else { value };
    let lacks = |field: &str| Unbuildable::MissingField { entity: entity.name.clone(), field: field.to_owned() };
    // "when an event's capacity changes": the field, any new value.
    if value.is_empty()
        && let Some(word) = &e.field
    {
        let field = fields::named(entity, word).ok_or_else(|| lacks(&word.to_lowercase()))?;
        return Ok((Some(field.to_owned()), None));
    }
    let lower = value.to_lowercase();
    if let Some(word) = &e.field {
        let to = strip_word(&value, word);
        let field = fields::named(entity, word).ok_or_else(|| lacks(&word.to_lowercase()))?;
        if fields::is_flag(entity, field) {
            return Ok((Some(field.to_owned()), Some(Value::Bool(!lower.starts_with("not")))));
        }
        return Ok((Some(field.to_owned()), Some(typed(entity, field, &to))));
    }
    if DONE_VALUES.contains(&lower.as_str())
        && let Some(done) = fields::done_flag(entity)
    {
        return Ok((Some(done.to_owned()), Some(Value::Bool(true))));
    }
    if let Some(flag) = fields::named(entity, &lower).filter(|f| fields::is_flag(entity, f)) {
        return Ok((Some(flag.to_owned()), Some(Value::Bool(true))));
    }
    let field = fields::status(entity).ok_or_else(|| lacks("status"))?;
    let to = if lower == "done" { "done".to_owned() } else { value };
    Ok((Some(field.to_owned()), Some(Value::String(to))))
}

/// "high priority" without "priority": the value as the field holds it.
fn strip_word(value: &str, word: &str) -> String {
    let words: Vec<&str> = value.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() && last.eq_ignore_ascii_case(word) => rest.join(" "),
        _ => value.to_owned(),
    }
}
