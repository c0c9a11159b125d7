//! How a flow starts, read from the request: a schedule; a change to the app's own
//! records ("when a deal moves to Closed Won", "when someone applies"); a condition
//! checked on a schedule ("when deadlines are approaching"); a connector's trigger ("when
//! a new email with the label Invoices arrives in Gmail"); or a button. An event about
//! records the app does not have is explained, not wired to a connector trigger that
//! merely happens to be selected; a vague one ("when something happens") is asked about.

use super::conditions;
use super::definition::{Condition, EntityChange};
use super::explain::{Unbuildable, plural};
use super::fields;
use super::listing::Check;
use super::named;
use crate::app::{AppStructure, Entity};
use crate::catalog::{Catalog, Connector, Operation};
use crate::intent::event::verb_of;
use crate::intent::text::{Text, singular, words_of};
use crate::intent::{Change, DataRef, Event, data};
use crate::ranking::{Role, RouteResult};
use serde_json::Value;
use std::collections::HashSet;

#[path = "start_record.rs"]
mod record;
pub use record::RecordStart;

pub enum Start<'a> {
    Schedule { cron: String },
    Condition { entity: &'a Entity, check: Check, subject: Option<String> },
    Record(RecordStart<'a>),
    Connector { connector: &'a Connector, op: &'a Operation, event: Event },
    Button { label: String, page: Option<String> },
}

/// What the start needs to know besides the request's event and schedule.
pub struct Scene<'a> {
    pub catalog: &'a Catalog,
    pub app: &'a AppStructure,
    pub text: &'a Text,
    pub route: &'a RouteResult,
    pub data: Vec<DataRef>,
    /// Who "me" is (for "assigned to me").
    pub me: &'a str,
    /// Spans of the request that say when (schedule words), left out of conditions.
    pub when: Vec<(usize, usize)>,
}

impl<'a> Scene<'a> {
    pub fn entities(&self) -> Vec<String> {
        self.app.entities.iter().map(|e| e.name.clone()).collect()
    }

    pub fn missing(&self, mention: &str, sends: bool) -> Unbuildable {
        Unbuildable::MissingData { mention: mention.to_lowercase(), entities: self.entities(), sends }
    }

    /// The app records the request is about: the first data reference that resolved to an
    /// entity and is not a tool's own object ("HubSpot contacts"); an unresolved one is
    /// explained.
    pub fn data_entity(&self, sends: bool) -> Result<Option<&'a Entity>, Unbuildable> {
        let found = self
            .data
            .iter()
            .filter(|d| !self.is_tool_object(d))
            .find_map(|d| d.entity.as_deref().and_then(|name| self.app.entity(name)));
        if found.is_some() {
            return Ok(found);
        }
        match self.data.iter().find(|d| d.entity.is_none() && d.page.is_none()) {
            Some(unknown) => Err(self.missing(&unknown.mention, sends)),
            None => Ok(None),
        }
    }

    /// "HubSpot contacts": the mention right after a tool's name is that tool's.
    fn is_tool_object(&self, d: &DataRef) -> bool {
        let lower = &self.text.lower;
        let Some(at) = lower.find(&crate::intent::text::fold(&d.mention)) else { return false };
        let before = lower.get(..at).unwrap_or("").trim_end();
        named::tools(&Text::new(&self.text.original[..at.min(self.text.original.len())]), self.catalog, self.app)
            .last()
            .is_some_and(|m| before.len() <= m.end + 1)
    }

    /// The folded request with the given spans blanked, so that offsets still agree.
    pub fn lower_without(&self, spans: &[(usize, usize)]) -> String {
        let mut out = self.text.lower.clone();
        for (s, e) in spans.iter().chain(self.when.iter()) {
            if let Some(part) = out.get(*s..*e) {
                let blank = " ".repeat(part.len());
                out.replace_range(*s..*e, &blank);
            }
        }
        out
    }

    /// The conditions the request's words put on `entity`'s records, outside `spans`.
    pub fn conditions(
        &self,
        entity: &Entity,
        spans: &[(usize, usize)],
    ) -> Result<(Vec<Condition>, Vec<String>), Unbuildable> {
        let found = conditions::read(&self.lower_without(spans), entity, self.me);
        if let Some(field) = found.missing.first() {
            return Err(Unbuildable::MissingField { entity: entity.name.clone(), field: field.clone() });
        }
        Ok((found.conditions, found.notes))
    }
}

/// Reads how an event starts the flow.
pub fn from_event<'a>(event: &Event, scene: &Scene<'a>) -> Result<Start<'a>, Unbuildable> {
    if event.change == Change::Clicked {
        let label = event.value.clone().unwrap_or_else(|| "Run".into());
        return Ok(Start::Button { label, page: page_named(scene) });
    }
    let tool = connector_event(event, scene)?;
    // "when a ClickUp task moves to Done" is ClickUp's event, even in an app with tasks.
    if let Some((connector, op, true)) = tool {
        return Ok(Start::Connector { connector, op, event: event.clone() });
    }
    let entity = entity_of(event, scene);
    if event.change == Change::Condition {
        let subject = event.subject.as_deref();
        let entity = entity
            .or_else(|| subject.and_then(|s| fields::entity_with_field(scene.app, s)).map(|(e, _)| e))
            .or(scene.data_entity(false)?);
        let Some(entity) = entity else {
            return Err(match subject {
                Some(s) => scene.missing(&plural(s), false),
                None => Unbuildable::UnclearCondition { text: event.text.clone() },
            });
        };
        // "if a quote is over $2,000": a number said outright watches the records as they
        // come or change, rather than a limit checked every morning.
        if let Some(limit) = explicit_limit(event, entity, scene.me) {
            return Ok(Start::Record(record::on_limit(entity, event, limit, scene)?));
        }
        let check =
            Check::read(&event.text).ok_or_else(|| Unbuildable::UnclearCondition { text: event.text.clone() })?;
        return Ok(Start::Condition { entity, check, subject: event.subject.clone() });
    }
    if let Some(entity) = entity {
        return Ok(Start::Record(record::read(entity, Some(event), scene)?));
    }
    // "when their plan changes to Premium": the subject is a field of the records.
    if let Some((entity, field)) = field_subject(event, scene) {
        let event = Event { field: Some(field.to_owned()), ..event.clone() };
        return Ok(Start::Record(record::read(entity, Some(&event), scene)?));
    }
    if let Some((connector, op, _)) = tool {
        return Ok(Start::Connector { connector, op, event: event.clone() });
    }
    match event.subject.as_deref() {
        Some(s) if !VAGUE.contains(&s) => Err(scene.missing(&plural(s), false)),
        _ => Err(vague(scene)),
    }
}

/// Each new record starts a run ("sync new leads into HubSpot").
pub fn each_new<'a>(entity: &'a Entity, scene: &Scene<'a>) -> Result<Start<'a>, Unbuildable> {
    // "send job updates to the customer": each change of a record, not each new one.
    let words: Vec<String> = words_of(&scene.text.lower);
    let updates = words.windows(2).any(|w| {
        data::resolve_entity(&w[0], scene.app).as_deref() == Some(entity.name.as_str())
            && ["updates", "changes", "edits"].contains(&w[1].as_str())
    });
    if updates {
        let event = Event {
            text: scene.text.original.clone(),
            subject: None,
            change: Change::Updated,
            value: None,
            field: None,
            qualifier: None,
            start: 0,
            end: 0,
        };
        return Ok(Start::Record(record::read(entity, Some(&event), scene)?));
    }
    Ok(Start::Record(record::read(entity, None, scene)?))
}

/// The comparison with a number the event's words make on the entity ("over $2,000").
fn explicit_limit(event: &Event, entity: &Entity, me: &str) -> Option<super::definition::Condition> {
    let found = super::conditions::read(&crate::intent::text::fold(&event.text), entity, me);
    found.conditions.into_iter().find(|c| {
        matches!(
            c.op,
            super::definition::Op::Gt
                | super::definition::Op::Gte
                | super::definition::Op::Lt
                | super::definition::Op::Lte
        ) && c.value.as_ref().is_some_and(Value::is_number)
    })
}

/// Words that name no record ("when something happens").
const VAGUE: [&str; 8] = ["something", "anything", "stuff", "thing", "change", "update", "event", "happen"];

/// "What should start the email? [A task is created] [A task is completed] [Every morning]".
pub fn vague(scene: &Scene<'_>) -> Unbuildable {
    let mut options = Vec::new();
    for e in scene.app.entities.iter().take(2) {
        let one = e.name.to_lowercase();
        options.push(format!("A {one} is created"));
        if fields::done_flag(e).is_some() {
            options.push(format!("A {one} is completed"));
        } else {
            options.push(format!("A {one} is updated"));
        }
    }
    options.push("Every morning".into());
    let what = if scene.text.lower.contains("mail") {
        "email"
    } else if scene.text.lower.contains("text") || scene.text.lower.contains("sms") {
        "text message"
    } else if ["post", "message", "slack", "notify", "ping", "tell"].iter().any(|w| scene.text.lower.contains(w)) {
        "message"
    } else {
        "flow"
    };
    Unbuildable::Vague { what: what.into(), options }
}

/// The record the event is about: the one a person's act makes ("applies" → an
/// Applicant or an Application, "submits" → a Submission), else its subject ("a chore"),
/// else a data word of the clause.
fn entity_of<'a>(event: &Event, scene: &Scene<'a>) -> Option<&'a Entity> {
    let app = scene.app;
    let by_verb = verb_of(event).filter(|_| event.change == Change::Created).and_then(|verb| {
        agent_nouns(&verb).iter().find_map(|n| data::resolve_entity(n, app)).and_then(|e| app.entity(&e))
    });
    let subject = event.subject.as_deref().and_then(|s| data::resolve_entity(s, app)).and_then(|e| app.entity(&e));
    let in_clause = || {
        words_of(&event.text)
            .iter()
            .filter(|w| !VAGUE.contains(&w.as_str()))
            .find_map(|w| data::resolve_entity(w, app))
            .and_then(|e| app.entity(&e))
    };
    by_verb.or(subject).or_else(in_clause)
}

/// The entity one of whose fields the event's subject names, for a change to it: one
/// the request mentions, else the only one with such a field.
fn field_subject<'a>(event: &Event, scene: &Scene<'a>) -> Option<(&'a Entity, &'a str)> {
    let subject = event.subject.as_deref().filter(|_| event.change == Change::FieldChanged)?;
    let mentioned = scene.data.iter().filter_map(|d| d.entity.as_deref()).filter_map(|e| scene.app.entity(e));
    let with_field = |e: &'a Entity| fields::named_as(e, subject).map(|f| (e, f));
    mentioned.clone().find_map(with_field).or_else(|| {
        let all: Vec<(&'a Entity, &'a str)> = scene.app.entities.iter().filter_map(with_field).collect();
        (all.len() == 1).then(|| all[0])
    })
}

/// The nouns a verb's act makes or whose doer it names: "apply" → applicant,
/// application; "submit" → submission; "book" → booking.
fn agent_nouns(verb: &str) -> Vec<String> {
    let v = verb.split_whitespace().next().unwrap_or(verb);
    if verb.starts_with("sign up") || verb == "join" || verb == "register" {
        return ["signup", "user", "member", "registration", "registrant", "attendee"].map(String::from).to_vec();
    }
    let stem = v.strip_suffix('y').map(|s| format!("{s}i")).unwrap_or_else(|| v.to_owned());
    let bare = v.strip_suffix('e').unwrap_or(v);
    let doubled = format!("{v}{}", v.chars().last().map(String::from).unwrap_or_default());
    let mut out = vec![
        format!("{stem}cant"),
        format!("{stem}cation"),
        format!("{bare}ant"),
        format!("{bare}er"),
        format!("{v}er"),
        format!("{bare}ion"),
        format!("{bare}ation"),
        format!("{v}ment"),
        format!("{bare}ing"),
        format!("{doubled}ing"),
        format!("{doubled}er"),
        v.to_owned(),
    ];
    if let Some(root) = v.strip_suffix("it") {
        out.push(format!("{root}ission"));
    }
    out
}

/// The connector trigger the event names ("a Stripe charge", "a Linear issue"), or the one
/// the router picked, with its best trigger; `true` when the event clause names the tool.
fn connector_event<'a>(
    event: &Event,
    scene: &Scene<'a>,
) -> Result<Option<(&'a Connector, &'a Operation, bool)>, Unbuildable> {
    let clause = Text::new(&event.text);
    let named = named::tools(&clause, scene.catalog, scene.app)
        .into_iter()
        .map(|m| m.connector)
        .find(|c| !c.triggers.is_empty());
    let routed = scene
        .route
        .selected
        .iter()
        .filter(|s| s.role == Role::Trigger)
        .find_map(|s| scene.catalog.get(&s.connector))
        .filter(|c| !c.triggers.is_empty());
    let (connector, is_named) = match (named, routed) {
        (Some(c), _) => (c, true),
        (None, Some(c)) => (c, false),
        _ => return Ok(None),
    };
    let words: HashSet<String> = words_of(&event.text).iter().map(|w| stem(w)).collect();
    let subject = event.subject.as_deref().filter(|s| !VAGUE.contains(s)).map(stem);
    let vocabulary = |op: &Operation| -> HashSet<String> {
        op.phrases
            .iter()
            .chain([&op.name, &op.description])
            .flat_map(|p| words_of(p))
            .chain(op.id.split('_').map(str::to_owned))
            .chain(op.outputs.iter().cloned())
            .map(|w| stem(&w))
            .filter(|w| w.len() > 1 && !["when", "the", "new", "and"].contains(&w.as_str()))
            .collect()
    };
    let score = |op: &Operation| -> usize {
        let own = vocabulary(op);
        let value_input = event.value.is_some() && op.inputs.iter().any(|i| STATE_INPUTS.contains(&i.name.as_str()));
        let about = subject.as_ref().is_some_and(|s| own.contains(s));
        own.iter().filter(|w| words.contains(*w)).count() * 2 + usize::from(value_input) * 3 + usize::from(about) * 3
    };
    let Some(op) = connector
        .triggers
        .iter()
        .max_by_key(|op| (score(op), std::cmp::Reverse(connector.triggers.iter().position(|t| t.id == op.id))))
    else {
        return Ok(None);
    };
    // A tool named as the start must be able to start on what the event is about.
    let known =
        |s: &String| connector.triggers.iter().any(|t| vocabulary(t).contains(s)) || stem(&connector.name) == *s;
    if is_named && subject.as_ref().is_some_and(|s| !known(s)) {
        let options = connector.triggers.iter().map(|t| t.name.to_lowercase()).collect();
        let tool_words = words_of(&connector.name);
        let before: Vec<String> = event
            .qualifier
            .iter()
            .flat_map(|q| words_of(q))
            .filter(|w| !tool_words.contains(w) && w != "new")
            .collect();
        let subject = before.into_iter().chain(event.subject.clone()).collect::<Vec<_>>().join(" ");
        return Err(Unbuildable::NoSuchTrigger { connector: connector.name.clone(), subject, options });
    }
    // A routed tool starts the flow only when its trigger is about the event's subject.
    if !is_named && !subject.as_ref().is_some_and(|s| vocabulary(op).contains(s)) {
        return Ok(None);
    }
    Ok(Some((connector, op, is_named)))
}

/// Trigger inputs that a "moves to <value>" event fills.
pub const STATE_INPUTS: [&str; 5] = ["stage", "status", "state", "column", "list"];

/// A word without its common endings, so that "succeeds", "succeeded" and "succeed" meet.
pub fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    for end in ["ing", "ed", "es", "s"] {
        if let Some(s) = w.strip_suffix(end).filter(|s| s.len() >= 4) {
            return s.trim_end_matches('e').to_owned();
        }
    }
    w.trim_end_matches('e').to_owned()
}

/// "on the Admin page": the app's page of that name, or the words as written.
fn page_named(scene: &Scene<'_>) -> Option<String> {
    let lower = &scene.text.lower;
    let at = lower.find(" page")?;
    let before = lower.get(..at)?;
    let from = before.rfind(" the ").map(|i| i + 5).or_else(|| before.rfind(" on ").map(|i| i + 4))?;
    let words = scene.text.original.get(from..at)?.trim();
    if words.is_empty() || words.split_whitespace().count() > 3 {
        return None;
    }
    let known = scene
        .app
        .pages
        .iter()
        .find(|p| p.eq_ignore_ascii_case(words) || singular(&p.to_lowercase()) == singular(&words.to_lowercase()));
    Some(known.cloned().unwrap_or_else(|| words.to_owned()))
}

/// A value typed for a field: a number for number fields, else the words as written.
pub fn typed(entity: &Entity, field: &str, value: &str) -> Value {
    if fields::is_number(entity, field)
        && let Ok(n) = value.trim().parse::<f64>()
    {
        return if n.fract() == 0.0 && n.abs() < 1e15 { serde_json::json!(n as i64) } else { serde_json::json!(n) };
    }
    Value::String(value.to_owned())
}

/// The change a record event watches, for the trigger.
pub fn change_of(event: Option<&Event>) -> EntityChange {
    match event.map(|e| e.change) {
        Some(Change::Updated) => EntityChange::Updated,
        Some(Change::Deleted) => EntityChange::Deleted,
        Some(Change::FieldChanged) => EntityChange::FieldChanged,
        _ => EntityChange::Created,
    }
}
