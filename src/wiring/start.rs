//! How a flow starts, read from the routed intent: a schedule; a change to the app's own
//! records ("when a deal moves to Closed Won"); a condition checked on a schedule ("when
//! deadlines are approaching"); a connector's trigger ("when a new email with the label
//! Invoices arrives in Gmail"); or a button. An event about records the app does not have
//! is explained, not wired to a connector trigger that merely happens to be selected.

use super::definition::{Condition, EntityChange, Op};
use super::explain::{Unbuildable, plural};
use super::fields;
use super::listing::Check;
use crate::app::{AppStructure, Entity};
use crate::catalog::{Catalog, Connector, Operation};
use crate::intent::text::{singular, words_of};
use crate::intent::{Change, DataRef, Event, Intent, Trigger};
use serde_json::Value;

/// Words before a subject that pick records by their priority or severity.
const SEVERITIES: [&str; 12] =
    ["critical", "urgent", "high", "low", "medium", "major", "minor", "blocker", "important", "p0", "p1", "p2"];
const DONE_VALUES: [&str; 7] = ["completed", "done", "complete", "finished", "closed", "resolved", "checked"];

pub enum Start<'a> {
    Schedule { cron: String },
    Condition { entity: &'a Entity, check: Check, subject: Option<String> },
    Record(RecordStart<'a>),
    Connector { connector: &'a Connector, op: &'a Operation, event: Event },
    Button { label: String },
}

pub struct RecordStart<'a> {
    pub entity: &'a Entity,
    pub change: EntityChange,
    pub field: Option<String>,
    pub to: Option<Value>,
    pub filter: Vec<Condition>,
    /// "New ticket: {{trigger.record.subject}}".
    pub headline: String,
}

/// What the start needs to know besides the intent.
pub struct Scene<'a> {
    pub catalog: &'a Catalog,
    pub app: &'a AppStructure,
    pub request: &'a str,
    /// Connectors the route selected.
    pub selected: Vec<&'a Connector>,
    /// True when the flow writes to an outside tool (not only reads).
    pub writes: bool,
    /// True when it sends data somewhere people read it (email, chat).
    pub sends: bool,
}

impl<'a> Scene<'a> {
    pub fn entities(&self) -> Vec<String> {
        self.app.entities.iter().map(|e| e.name.clone()).collect()
    }

    fn missing(&self, mention: &str) -> Unbuildable {
        Unbuildable::MissingData { mention: mention.to_lowercase(), entities: self.entities(), sends: self.sends }
    }

    /// The app records the request is about: the first data reference that resolved to an
    /// entity and is not a tool's own object ("HubSpot contacts"); an unresolved one is
    /// explained.
    pub fn data_entity(&self, intent: &Intent) -> Result<Option<&'a Entity>, Unbuildable> {
        let found = intent
            .data
            .iter()
            .filter(|d| !self.is_tool_object(d))
            .find_map(|d| d.entity.as_deref().and_then(|name| self.app.entity(name)));
        if found.is_some() {
            return Ok(found);
        }
        match intent.data.iter().find(|d| d.entity.is_none() && d.page.is_none()) {
            Some(unknown) => Err(self.missing(&unknown.mention)),
            None => Ok(None),
        }
    }

    /// "HubSpot contacts": the mention right after a selected tool's name is that tool's.
    fn is_tool_object(&self, d: &DataRef) -> bool {
        let lower = self.request.to_lowercase();
        let Some(at) = lower.find(&d.mention.to_lowercase()) else { return false };
        let before = lower[..at].trim_end();
        self.selected.iter().any(|c| {
            std::iter::once(c.name.to_lowercase())
                .chain(c.aliases.iter().map(|a| a.to_lowercase()))
                .any(|n| before.ends_with(&n))
        })
    }
}

/// Reads how the flow starts.
pub fn read<'a>(intent: &Intent, scene: &Scene<'a>) -> Result<Start<'a>, Unbuildable> {
    match &intent.trigger {
        Some(Trigger::Schedule(s)) => Ok(Start::Schedule { cron: s.cron.clone() }),
        Some(Trigger::Event { event, entity, connector, operation }) => {
            let entity = entity.as_deref().and_then(|e| scene.app.entity(e));
            event_start(event, entity, connector.as_deref(), operation.as_deref(), intent, scene)
        }
        None => {
            if !scene.writes {
                let names: Vec<&str> = scene.selected.iter().map(|c| c.name.as_str()).collect();
                return Err(Unbuildable::NotAFlow { connectors: names.join(" and ") });
            }
            // "Sync new leads into HubSpot": each new record starts a run.
            match scene.data_entity(intent)? {
                Some(entity) => Ok(Start::Record(record_start(entity, None))),
                None => Err(Unbuildable::NoTrigger),
            }
        }
    }
}

fn event_start<'a>(
    event: &Event,
    entity: Option<&'a Entity>,
    connector: Option<&str>,
    operation: Option<&str>,
    intent: &Intent,
    scene: &Scene<'a>,
) -> Result<Start<'a>, Unbuildable> {
    if event.change == Change::Clicked {
        return Ok(Start::Button { label: event.value.clone().unwrap_or_else(|| "Run".into()) });
    }
    let tool = connector.and_then(|c| scene.catalog.get(c)).and_then(|c| {
        let local = operation?.split_once('.')?.1;
        c.trigger(local).map(|op| (c, op))
    });
    let connector_start =
        |(connector, op): (&'a Connector, &'a Operation)| Start::Connector { connector, op, event: event.clone() };
    // "when a ClickUp task moves to Done" is ClickUp's event, even in an app with tasks.
    if let Some(t) = tool.filter(|(c, _)| names_connector(&event.text, c)) {
        return Ok(connector_start(t));
    }
    if event.change == Change::Condition {
        let subject = event.subject.as_deref();
        let entity = entity
            .or_else(|| subject.and_then(|s| fields::entity_with_field(scene.app, s)).map(|(e, _)| e))
            .or(scene.data_entity(intent)?);
        let Some(entity) = entity else {
            return Err(match subject {
                Some(s) => scene.missing(&plural(s)),
                None => Unbuildable::UnclearCondition { text: event.text.clone() },
            });
        };
        let check =
            Check::read(&event.text).ok_or_else(|| Unbuildable::UnclearCondition { text: event.text.clone() })?;
        return Ok(Start::Condition { entity, check, subject: event.subject.clone() });
    }
    if let Some(entity) = entity {
        return Ok(Start::Record(record_start(entity, Some(event))));
    }
    if let Some(t) = tool.filter(|(c, op)| fits(op, c, event)) {
        return Ok(connector_start(t));
    }
    match &event.subject {
        Some(s) => Err(scene.missing(&plural(s))),
        None => Err(Unbuildable::NoTrigger),
    }
}

/// True when the text names the connector ("a ClickUp task", "in Gmail").
pub fn names_connector(text: &str, c: &Connector) -> bool {
    let words: Vec<String> = words_of(text);
    std::iter::once(&c.name).chain(c.aliases.iter()).any(|name| {
        let n = words_of(name);
        !n.is_empty() && words.windows(n.len()).any(|w| w == n.as_slice())
    })
}

/// The trigger produces what the event is about: "new email" for "when an email arrives".
fn fits(op: &Operation, c: &Connector, event: &Event) -> bool {
    let Some(subject) = event.subject.as_deref().map(singular) else { return false };
    op.phrases
        .iter()
        .chain([&op.name, &op.description, &c.name])
        .chain(op.outputs.iter())
        .flat_map(|p| words_of(p))
        .any(|w| singular(&w) == subject)
}

fn record_start<'a>(entity: &'a Entity, event: Option<&Event>) -> RecordStart<'a> {
    let change = match event.map(|e| e.change) {
        Some(Change::Updated) => EntityChange::Updated,
        Some(Change::Deleted) => EntityChange::Deleted,
        Some(Change::FieldChanged) => EntityChange::FieldChanged,
        _ => EntityChange::Created,
    };
    let (field, to) = match (change, event) {
        (EntityChange::FieldChanged, Some(e)) => changed_field(entity, e),
        _ => (None, None),
    };
    let filter = event.and_then(|e| severity(entity, e)).into_iter().collect();
    let title = fields::title(entity).unwrap_or("id");
    let record = format!("{{{{trigger.record.{title}}}}}");
    let label = words_of(&super::listing::plural_id(&entity.name)).join(" ");
    let one = singular_label(&label);
    let headline = match (change, &field, &to) {
        (EntityChange::Created, ..) => format!("New {one}: {record}"),
        (EntityChange::Updated, ..) => format!("{} updated: {record}", entity.name),
        (EntityChange::Deleted, ..) => format!("{} deleted: {record}", entity.name),
        (EntityChange::FieldChanged, Some(f), Some(Value::Bool(true))) => {
            format!("{} marked {}: {record}", entity.name, f.replace('_', " "))
        }
        (EntityChange::FieldChanged, Some(f), Some(Value::String(v))) => {
            format!("{} {} is now {v}: {record}", entity.name, f.replace('_', " "))
        }
        (EntityChange::FieldChanged, ..) => format!("{} changed: {record}", entity.name),
    };
    RecordStart { entity, change, field, to, filter, headline }
}

fn singular_label(label: &str) -> String {
    let mut words: Vec<String> = label.split(' ').map(str::to_owned).collect();
    if let Some(last) = words.last_mut() {
        *last = singular(last);
    }
    words.join(" ")
}

/// The field a "changed to" event watches and the value it waits for: the field the
/// request names ("stage"); a done-flag for "completed"; else the status field. A field
/// the app lacks is kept as named, so that validation says so in words.
fn changed_field(entity: &Entity, e: &Event) -> (Option<String>, Option<Value>) {
    let value = e.value.clone().unwrap_or_default();
    if let Some(word) = &e.field {
        let to = strip_word(&value, word);
        let field = fields::named(entity, word).map(str::to_owned).unwrap_or_else(|| word.to_lowercase());
        return (Some(field), Some(Value::String(to)));
    }
    let lower = value.to_lowercase();
    if let Some(done) = fields::done_flag(entity).filter(|_| DONE_VALUES.contains(&lower.as_str())) {
        return (Some(done.to_owned()), Some(Value::Bool(true)));
    }
    if let Some(flag) = fields::named(entity, &lower)
        .filter(|f| matches!(entity.field(f).and_then(|x| x.kind.as_deref()), Some("boolean" | "bool")))
    {
        return (Some(flag.to_owned()), Some(Value::Bool(true)));
    }
    let field = fields::status(entity).unwrap_or("status").to_owned();
    (Some(field), Some(Value::String(value)))
}

/// "high priority" without "priority": the value as the field holds it.
fn strip_word(value: &str, word: &str) -> String {
    let words: Vec<&str> = value.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() && last.eq_ignore_ascii_case(word) => rest.join(" "),
        _ => value.to_owned(),
    }
}

/// "a critical incident": only records of that priority or severity.
fn severity(entity: &Entity, e: &Event) -> Option<Condition> {
    let q = e.qualifier.as_deref()?.to_lowercase();
    if !SEVERITIES.contains(&q.as_str()) {
        return None;
    }
    let field = ["priority", "severity", "urgency", "level"].iter().find_map(|w| fields::named(entity, w))?;
    Some(Condition::new(field, Op::Eq, q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(text: &str) -> Event {
        crate::intent::event::find(text).expect("event")
    }

    fn crm() -> AppStructure {
        AppStructure::from_value(&json!({"entities": [
            {"name": "Deal", "fields": ["title", "stage", {"name": "amount", "type": "number"}]},
            {"name": "Ticket", "fields": ["subject", "priority", "status"]}]}))
        .unwrap()
    }

    #[test]
    fn a_field_moving_to_a_value_is_watched_on_that_field() {
        let app = crm();
        let r = record_start(app.entity("Deal").unwrap(), Some(&event("when a deal moves to the Closed Won stage")));
        assert_eq!(
            (r.change, r.field.as_deref(), r.to),
            (EntityChange::FieldChanged, Some("stage"), Some(json!("Closed Won")))
        );
        assert_eq!(r.headline, "Deal stage is now Closed Won: {{trigger.record.title}}");
    }

    #[test]
    fn a_field_the_app_lacks_is_kept_for_validation_to_report() {
        let app = crate::app::demo::todo_structure();
        let r = record_start(app.entity("Task").unwrap(), Some(&event("when a new task is marked as high priority")));
        assert_eq!((r.field.as_deref(), r.to), (Some("priority"), Some(json!("high"))));
        let r = record_start(app.entity("Task").unwrap(), Some(&event("when a task is completed")));
        assert_eq!((r.field.as_deref(), r.to), (Some("completed"), Some(json!(true))));
    }

    #[test]
    fn a_severity_word_filters_new_records() {
        let app = crm();
        let r = record_start(app.entity("Ticket").unwrap(), Some(&event("when a critical incident is created")));
        assert_eq!(r.change, EntityChange::Created);
        assert_eq!(r.filter, [Condition::new("priority", Op::Eq, "critical")]);
        assert_eq!(r.headline, "New ticket: {{trigger.record.subject}}");
        let r = record_start(app.entity("Ticket").unwrap(), Some(&event("when a new support ticket is created")));
        assert!(r.filter.is_empty());
    }
}
