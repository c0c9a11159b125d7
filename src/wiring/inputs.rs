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
    /// The words of the request that ask for this step ("file a Linear issue in the
    /// Mobile project"): values named there ("Mobile") fill the inputs they name.
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

/// A repository written as owner/name.
static OWNER_NAME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\b[A-Za-z0-9][\w.-]*/[\w.-]*[A-Za-z0-9]\b").expect("owner/name regex")
});

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

/// The value the step's words give an input by name ("the Mobile project" → `Mobile`, "in
/// acme/website" → the repository `acme/website`).
pub fn named_value(input: &str, clause: &str, tools: &[String]) -> Option<String> {
    if input == "repository"
        && let Some(m) = OWNER_NAME.find(clause)
    {
        return Some(m.as_str().to_owned());
    }
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

#[path = "inputs_people.rs"]
mod people_of;
pub(crate) use people_of::EMAIL_OUTPUTS;
use people_of::*;

#[cfg(test)]
#[path = "inputs_tests.rs"]
mod tests;
