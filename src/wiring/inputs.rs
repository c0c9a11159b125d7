//! Mapping a catalog operation's inputs from what the flow has: the trigger's record, the
//! written-up list of an earlier step, the request's targets ("me", "#support", "my
//! team", "the customer") and the requesting user. A required input nothing can fill
//! becomes a setting the builder chooses on review ("Which GitHub repository?"), never a
//! guess.

use super::definition::Setting;
use super::fields;
use crate::app::Entity;
use crate::catalog::{Capability, Connector, Input, InputKind, Operation};
use crate::intent::Target;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What `{{trigger.record.…}}` holds in this flow.
pub enum Record<'a> {
    None,
    /// A record of the app, with the one-line headline that announces its change
    /// ("New ticket: {{trigger.record.subject}}").
    Entity {
        entity: &'a Entity,
        headline: String,
    },
    /// The outputs of a connector trigger.
    Outputs(&'a [String]),
}

/// Everything an input can be mapped from.
pub struct Sources<'a> {
    pub record: Record<'a>,
    /// The reference to a written-up list and its heading.
    pub list: Option<(String, String)>,
    /// The reference to what an earlier read step returned.
    pub read: Option<String>,
    pub targets: &'a [Target],
    pub requester: &'a str,
    /// True when a schedule starts the runs (dates can then span the period between runs).
    pub scheduled: bool,
    /// A short line for titles when nothing better exists (a button's label, the flow name).
    pub fallback_title: String,
    /// The words of the request that ask for this step ("open a Jira issue in the IT
    /// project"): values named there ("IT") fill the inputs they name.
    pub clause: &'a str,
    /// Tool names, which are never a value ("the Jira project" names no project).
    pub tools: &'a [String],
    /// Fields the request's people need that the record lacks ("the client" on a Project
    /// without a client email): (entity, field), to ask about.
    pub missing: std::cell::RefCell<Vec<(String, String)>>,
    /// The person the request names with "each"/"every" ("email each parent"), if any.
    pub each: Option<&'a str>,
    /// Set when a scheduled list would have to go to each such person separately.
    pub per_person: std::cell::RefCell<Option<String>>,
    /// What mapping had to assume, said next to the flow.
    pub said: std::cell::RefCell<Vec<String>>,
    /// The words of a reminder ("Reminder: log your hours"), when the flow sends one
    /// rather than records.
    pub message: Option<String>,
}

impl Sources<'_> {
    fn lacks(&self, entity: &Entity, field: &str) {
        let mut missing = self.missing.borrow_mut();
        if !missing.iter().any(|(e, f)| e == &entity.name && f == field) {
            missing.push((entity.name.clone(), field.to_owned()));
        }
    }
}

/// Inputs a request fills by naming a value next to the input's word, with the words
/// people use for it.
const NAMED_INPUTS: &[(&str, &[&str])] = &[
    ("project", &["project", "board"]),
    ("channel", &["channel"]),
    ("sheet", &["sheet", "tab"]),
    ("label", &["label", "tag"]),
    ("labels", &["label", "tag"]),
    ("folder", &["folder"]),
    ("list", &["list"]),
    ("table", &["table"]),
    ("database", &["database", "base"]),
    ("space", &["space"]),
    ("team", &["team"]),
    ("calendar", &["calendar"]),
    ("repository", &["repository", "repo"]),
    ("form", &["form", "survey"]),
    ("audience", &["audience"]),
    ("course", &["course", "class"]),
    ("stage", &["stage"]),
    ("group", &["group"]),
    ("company", &["company"]),
];

/// The value the step's words give an input by name ("the IT project" → `IT`).
pub fn named_value(input: &str, clause: &str, tools: &[String]) -> Option<String> {
    let (_, words) = NAMED_INPUTS.iter().find(|(name, _)| *name == input)?;
    super::named::value_near(clause, words, tools)
}

const SHORT: [&str; 5] = ["subject", "title", "name", "summary", "headline"];
const LONG: [&str; 7] = ["body", "text", "description", "message", "content", "notes", "comment"];
const PEOPLE: [&str; 5] = ["attendees", "guests", "participants", "invitees", "recipients"];
const RECORD_OBJECTS: [&str; 3] = ["properties", "values", "fields"];

fn reference(field: &str) -> String {
    format!("{{{{trigger.record.{field}}}}}")
}

/// Maps every input it can; required ones it cannot become settings (added to
/// `settings`). Optional inputs are mapped only from a sure source.
pub fn map(c: &Connector, op: &Operation, src: &Sources<'_>, settings: &mut Vec<Setting>) -> BTreeMap<String, Value> {
    // Chat messages and texts carry the headline; emails and documents the whole record.
    let chat = matches!(op.capability, Capability::Chat | Capability::Sms | Capability::Social);
    let mut out = BTreeMap::new();
    for input in &op.inputs {
        let named = || named_value(&input.name, src.clause, src.tools).map(Value::String);
        let value = match input.kind {
            InputKind::Email if input.name == "to" => Some(recipients(src)),
            InputKind::String if PHONE_INPUTS.contains(&input.name.as_str()) && is_phone(input) => {
                phone(src, input.required)
            }
            InputKind::Channel => channel(src.targets).map(Value::String).or_else(named),
            _ if NAMED_INPUTS.iter().any(|(n, _)| *n == input.name) && named().is_some() => named(),
            InputKind::Email if input.name == "cc" => None,
            InputKind::Email => record_email(src, &input.name).map(Value::String),
            InputKind::User if input.required => user(src).map(Value::String),
            InputKind::User => None,
            InputKind::List if PEOPLE.contains(&input.name.as_str()) => people(src),
            // "add it to my sheet": a row of the record's values, in order.
            InputKind::List if RECORD_OBJECTS.contains(&input.name.as_str()) => record_values(src),
            InputKind::Json if RECORD_OBJECTS.contains(&input.name.as_str()) => whole_record(src),
            InputKind::Date | InputKind::Datetime => dates(src, &input.name, input.required).map(Value::String),
            _ if SHORT.contains(&input.name.as_str()) => Some(Value::String(short(src, &input.name))),
            _ if LONG.contains(&input.name.as_str()) || input.kind == InputKind::Text => {
                long(src, chat).map(Value::String)
            }
            InputKind::List | InputKind::Json | InputKind::File | InputKind::Boolean => None,
            // Amounts have many names (`total`, `value`, `price`): any of them fills one.
            _ => record_field(src, &input.name, input.required || input.kind == InputKind::Number).map(Value::String),
        };
        let value = match value {
            Some(v) => Some(v),
            // Dates and times of day cannot be one fixed choice: left unmapped, validation
            // says which is missing.
            None if input.required && !matches!(input.kind, InputKind::Date | InputKind::Datetime) => {
                Some(Value::String(setting(c, input, settings)))
            }
            None => None,
        };
        if let Some(v) = value {
            out.insert(input.name.clone(), v);
        }
    }
    out
}

/// "me" is the requesting user's address, "my team" the app's owners and editors, "the
/// customer" the record's customer email; with no one named, the requesting user.
fn recipients(src: &Sources<'_>) -> Value {
    let mut to: Vec<String> = Vec::new();
    for t in src.targets {
        let one = match t {
            Target::Me => Some(src.requester.to_owned()),
            Target::Address { email } => Some(email.clone()),
            Target::Team { .. } => Some("{{app.members.emails}}".to_owned()),
            Target::RecordPerson { who } => match &src.record {
                Record::Entity { entity, .. } => match fields::person_field(entity, Some(who), fields::is_email) {
                    Some(f) => Some(reference(f)),
                    None => {
                        src.lacks(entity, &format!("{who}_email"));
                        None
                    }
                },
                // "email each parent their list" on a schedule: one run cannot do that.
                Record::None if src.list.is_some() && src.each.is_some_and(|w| w == who) => {
                    src.per_person.replace(Some(who.clone()));
                    None
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(one) = one.filter(|o| !to.contains(o)) {
            to.push(one);
        }
    }
    // "email the reporter": a person the record names by a field of theirs.
    if to.is_empty()
        && let Record::Entity { entity, .. } = &src.record
        && let Some(f) = fields::emails(entity).into_iter().find(|f| names_person(src.clause, f))
    {
        to.push(reference(f));
    }
    // "send them a note": the person the record is about.
    let pronoun =
        crate::intent::text::words_of(src.clause).iter().any(|w| matches!(w.as_str(), "them" | "him" | "her"));
    if to.is_empty()
        && pronoun
        && let Record::Entity { entity, .. } = &src.record
        && let Some(f) = fields::email_for(entity, None)
    {
        to.push(reference(f));
    }
    match to.len() {
        0 => Value::String(src.requester.to_owned()),
        1 => Value::String(to.remove(0)),
        _ => json!(to),
    }
}

/// True when the words name the person a field belongs to: "the reporter" for
/// `reporter_email`, "the guest" for `guest_phone`.
fn names_person(clause: &str, field: &str) -> bool {
    let words = crate::intent::text::words_of(clause);
    let person: Vec<String> = crate::intent::text::words_of(field)
        .into_iter()
        .filter(|w| !["email", "phone", "mobile", "number", "address", "cell", "tel"].contains(&w.as_str()))
        .collect();
    !person.is_empty() && words.windows(person.len()).any(|w| w == person.as_slice())
}

/// Inputs that take a phone number ("to" of a text message).
const PHONE_INPUTS: [&str; 3] = ["to", "phone", "phone_number"];

fn is_phone(input: &Input) -> bool {
    input.name.contains("phone") || input.description.to_lowercase().contains("phone")
}

/// A phone number: the record's phone field of the person named ("text the owner" →
/// `owner_phone`), else its only phone; "me" is the builder's own number, chosen once.
fn phone(src: &Sources<'_>, required: bool) -> Option<Value> {
    match &src.record {
        Record::Entity { entity, .. } => {
            let who = who(src.targets);
            let named = entity
                .fields
                .iter()
                .map(|f| f.name.as_str())
                .find(|f| fields::is_phone(entity, f) && names_person(src.clause, f));
            let found = named.or_else(|| fields::person_field(entity, who, fields::is_phone));
            if found.is_none() && required {
                src.lacks(entity, &who.map_or("phone".to_owned(), |w| format!("{w}_phone")));
            }
            found.map(|f| Value::String(reference(f)))
        }
        Record::Outputs(outputs) => ["phone", "from", "phone_number"]
            .iter()
            .find(|o| outputs.iter().any(|x| x == *o))
            .map(|o| Value::String(reference(o))),
        Record::None => None,
    }
}

fn who(targets: &[Target]) -> Option<&str> {
    targets.iter().find_map(|t| match t {
        Target::RecordPerson { who } => Some(who.as_str()),
        _ => None,
    })
}

fn record_email(src: &Sources<'_>, name: &str) -> Option<String> {
    match &src.record {
        Record::Entity { entity, .. } => fields::email_for(entity, who(src.targets)).map(reference),
        Record::Outputs(outputs) => {
            ["email", name, "from"].iter().find(|o| outputs.iter().any(|x| x == *o)).map(|o| reference(o))
        }
        Record::None => None,
    }
}

fn channel(targets: &[Target]) -> Option<String> {
    targets.iter().find_map(|t| match t {
        Target::Channel { name } => Some(name.clone()),
        _ => None,
    })
}

/// A person in a chat tool: the requester (by email, which the runtime resolves with the
/// tool's own lookup), a handle, or the record's person.
fn user(src: &Sources<'_>) -> Option<String> {
    src.targets.iter().find_map(|t| match t {
        Target::Me => Some(src.requester.to_owned()),
        Target::Person { handle } => Some(handle.clone()),
        Target::Address { email } => Some(email.clone()),
        Target::RecordPerson { .. } => record_email(src, "email"),
        _ => None,
    })
}

fn people(src: &Sources<'_>) -> Option<Value> {
    let Record::Entity { entity, .. } = &src.record else { return None };
    let fields: Vec<&str> = match fields::named(entity, "attendee").filter(|f| fields::is_email(entity, f)) {
        Some(f) => vec![f],
        None => fields::emails(entity),
    };
    (!fields.is_empty()).then(|| json!(fields.into_iter().map(reference).collect::<Vec<_>>()))
}

fn record_values(src: &Sources<'_>) -> Option<Value> {
    let names: Vec<&str> = match &src.record {
        Record::Entity { entity, .. } => entity.fields.iter().map(|f| f.name.as_str()).collect(),
        Record::Outputs(outputs) => outputs.iter().map(String::as_str).collect(),
        Record::None => return None,
    };
    (!names.is_empty()).then(|| json!(names.into_iter().map(reference).collect::<Vec<_>>()))
}

fn whole_record(src: &Sources<'_>) -> Option<Value> {
    let names: Vec<&str> = match &src.record {
        Record::Entity { entity, .. } => entity.fields.iter().map(|f| f.name.as_str()).collect(),
        Record::Outputs(outputs) => outputs.iter().map(String::as_str).collect(),
        Record::None => return None,
    };
    let map: Map<String, Value> = names.into_iter().map(|n| (n.to_owned(), Value::String(reference(n)))).collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

/// The record's field an input names: the same name, or for a required input also a
/// field of the same kind ("company" → `organization`).
fn record_field(src: &Sources<'_>, name: &str, loose: bool) -> Option<String> {
    match &src.record {
        Record::Entity { entity, .. } => {
            let found = if loose { fields::named(entity, name) } else { fields::named_as(entity, name) };
            found.map(reference)
        }
        Record::Outputs(outputs) => outputs.iter().find(|o| *o == name).map(|o| reference(o)),
        Record::None => None,
    }
}

/// A date input: the record's date of that kind ("start" → `starts_at`, else its first
/// date); on a schedule, the period since the last run ("start" → when it last ran).
fn dates(src: &Sources<'_>, name: &str, required: bool) -> Option<String> {
    match &src.record {
        Record::Entity { entity, .. } => {
            let own = fields::named(entity, name).filter(|f| fields::is_date(entity, f));
            let first = fields::dates(entity).first().copied();
            // A record with one time (a booking's slot) starts there; a required end with
            // no field of its own is the same time, said in a note.
            let end_at_start = (required && own.is_none() && ["end", "end_date", "ends_at"].contains(&name))
                .then_some(first)
                .flatten();
            if end_at_start.is_some() {
                src.said.borrow_mut().push(format!(
                    "{} has no end time, so the event ends when it starts: add an end field to give it a length.",
                    entity.name
                ));
            }
            own.or_else(|| (name == "start").then_some(first).flatten()).or(end_at_start).map(reference)
        }
        Record::Outputs(_) => record_field(src, name, false),
        Record::None if src.scheduled => match name {
            "start" | "from" | "since" | "start_date" => Some("{{trigger.period_start}}".into()),
            "end" | "to" | "until" | "end_date" => Some("{{trigger.fired_at}}".into()),
            _ => None,
        },
        Record::None => None,
    }
}

fn short(src: &Sources<'_>, name: &str) -> String {
    match &src.record {
        Record::Entity { entity, headline } => match fields::title(entity) {
            Some(t) if name != "subject" => reference(t),
            _ => headline.clone(),
        },
        Record::Outputs(outputs) => ["subject", "title", "name", "text"]
            .iter()
            .find(|o| outputs.iter().any(|x| x == *o))
            .map(|o| reference(o))
            .unwrap_or_else(|| src.fallback_title.clone()),
        Record::None => src
            .list
            .as_ref()
            .map(|(_, heading)| heading.clone())
            .or_else(|| src.message.as_ref().map(|_| "Reminder".to_owned()))
            .unwrap_or_else(|| src.fallback_title.clone()),
    }
}

/// The message: the list's text, the record's headline (with its fields, outside chat),
/// the trigger's own text, or what an earlier step read.
fn long(src: &Sources<'_>, chat: bool) -> Option<String> {
    if let Some((text, _)) = &src.list {
        return Some(text.clone());
    }
    if let Some(read) = &src.read {
        return Some(read.clone());
    }
    match &src.record {
        Record::Entity { headline, .. } if chat => Some(headline.clone()),
        Record::Entity { entity, headline } => {
            let title = fields::title(entity);
            let lines: Vec<String> = entity
                .fields
                .iter()
                .filter(|f| Some(f.name.as_str()) != title)
                .map(|f| format!("{}: {}", f.name.replace('_', " "), reference(&f.name)))
                .collect();
            Some(format!("{headline}\n\n{}", lines.join("\n")))
        }
        Record::Outputs(outputs) => ["body", "text", "description", "content", "subject", "title"]
            .iter()
            .find(|o| outputs.iter().any(|x| x == *o))
            .map(|o| reference(o)),
        Record::None => src.message.clone(),
    }
}

/// Declares a setting for the input and returns the reference to it.
pub fn setting(c: &Connector, input: &Input, settings: &mut Vec<Setting>) -> String {
    let label = match input.kind {
        InputKind::Channel => format!("Which {} channel?", c.name),
        _ if input.description.is_empty() => format!("{}: {}", c.name, input.name.replace('_', " ")),
        _ => format!("{}: {}", c.name, input.description),
    };
    if let Some(same) = settings.iter().find(|s| s.label == label) {
        return format!("{{{{settings.{}}}}}", same.name);
    }
    let mut name = input.name.clone();
    let mut n = 2;
    while settings.iter().any(|s| s.name == name) {
        name = format!("{}_{n}", input.name);
        n += 1;
    }
    let kind = serde_json::to_value(input.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    settings.push(Setting { name: name.clone(), label, kind, value: None });
    format!("{{{{settings.{name}}}}}")
}

#[cfg(test)]
#[path = "inputs_tests.rs"]
mod tests;
