//! The flow definition: what a flow does, written so that another runtime could execute
//! it without patchbay (docs/flows.md, docs/flow-schema.json). It is stored as JSON in
//! `flow_versions.definition`; serde round-trips it, and unknown keys are refused so that a
//! typo in a hand-edited file is an error rather than a silently ignored setting.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The format tag every definition carries; a runtime refuses formats it does not know.
pub const FORMAT: &str = "patchbay.flow/1";

fn format_tag() -> String {
    FORMAT.to_owned()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDefinition {
    #[serde(default = "format_tag")]
    pub format: String,
    pub name: String,
    /// The chat message the flow was generated from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_message_id: Option<i64>,
    /// The request as the builder typed it, for people reading the definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    pub trigger: FlowTrigger,
    pub steps: Vec<Step>,
    /// Values the builder chooses on review ("which Slack channel?"), used as
    /// `{{settings.<name>}}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Setting>,
}

/// What starts a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FlowTrigger {
    Schedule(ScheduleTrigger),
    EntityEvent(EntityEvent),
    Connector(ConnectorTrigger),
    Button(ButtonTrigger),
}

/// Standard five-field cron (minute hour day-of-month month day-of-week), read in an
/// IANA time zone: "0 8 * * *" in "Europe/Paris" is 08:00 Paris time all year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleTrigger {
    pub cron: String,
    pub time_zone: String,
}

/// A change to the app's own data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityEvent {
    pub entity: String,
    pub change: EntityChange,
    /// For `field_changed`: the field that changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `field_changed`: the value it changes to (any value when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
    /// Only records that also match all of these start a run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<Condition>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityChange {
    Created,
    Updated,
    Deleted,
    FieldChanged,
}

/// A trigger operation from the catalog ("gmail.new_email"), read through a connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorTrigger {
    pub operation: String,
    pub connection: ConnectionRef,
    /// The trigger's inputs ("label": "Invoices").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub config: BTreeMap<String, Value>,
    pub scopes: Vec<String>,
}

/// A button in the app ("Send update").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonTrigger {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// Which connection a step uses: the app's shared connection for the connector, or the
/// connection of the app user whose action started the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionRef {
    pub connector: String,
    #[serde(default)]
    pub kind: ConnectionKind,
}

impl ConnectionRef {
    pub fn shared(connector: &str) -> Self {
        Self { connector: connector.to_owned(), kind: ConnectionKind::Shared }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    #[default]
    Shared,
    AppUser,
}

/// One step of a run, in order; each has an `id` later steps refer to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    Query(QueryStep),
    Transform(TransformStep),
    Action(ActionStep),
    Save(SaveStep),
}

/// Reads the app's records. Outputs `items` (a list of records) and `count`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryStep {
    pub id: String,
    pub entity: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filter: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<Sort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Turns data into words. Outputs `text` (plain) and `html`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformStep {
    pub id: String,
    pub op: TransformOp,
    /// A reference to a list, e.g. `{{steps.open_tasks.items}}`.
    pub from: String,
    /// The fields of each item to show, in order.
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// What to write when the list is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransformOp {
    /// One line per item: the first field, then the others in brackets.
    RenderList,
}

/// Calls a catalog action through a connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionStep {
    pub id: String,
    /// Full catalog operation id, e.g. `gmail.send_email`.
    pub operation: String,
    pub connection: ConnectionRef,
    /// Input name → value; strings may hold `{{…}}` references.
    pub inputs: BTreeMap<String, Value>,
    /// The scopes the operation needs (from the catalog).
    pub scopes: Vec<String>,
}

/// Creates a record in the app (or updates the one whose `match_on` field is equal).
/// Outputs `record`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveStep {
    pub id: String,
    pub entity: String,
    pub values: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_on: Option<String>,
}

/// `field op value`; field names are the entity's own, plus `id`, `created_at` and
/// `updated_at`, which every record has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub field: String,
    pub op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl Condition {
    pub fn new(field: &str, op: Op, value: impl Into<Value>) -> Self {
        Self { field: field.to_owned(), op, value: Some(value.into()) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    IsEmpty,
    IsNotEmpty,
    /// The date is within the ISO 8601 duration before the run ("P1D").
    WithinLast,
    /// The date is between the run and the duration after it.
    WithinNext,
}

impl Op {
    /// Whether the condition takes a value.
    pub fn needs_value(self) -> bool {
        !matches!(self, Self::IsEmpty | Self::IsNotEmpty)
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::Eq => "is",
            Self::Ne => "is not",
            Self::Gt => "is more than",
            Self::Gte => "is at least",
            Self::Lt => "is less than",
            Self::Lte => "is at most",
            Self::Contains => "contains",
            Self::IsEmpty => "is empty",
            Self::IsNotEmpty => "is not empty",
            Self::WithinLast => "is within the last",
            Self::WithinNext => "is within the next",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    pub field: String,
    #[serde(default)]
    pub order: SortOrder,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// A value the builder picks before the flow can run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub name: String,
    /// The question shown on review: "Which Slack channel?".
    pub label: String,
    /// The catalog input type it fills (`channel`, `string`, `email`…).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// Why a text is not a flow definition.
#[derive(Debug, thiserror::Error)]
#[error("not a flow definition: {0}")]
pub struct DefinitionError(#[from] serde_json::Error);

impl Step {
    pub fn id(&self) -> &str {
        match self {
            Self::Query(s) => &s.id,
            Self::Transform(s) => &s.id,
            Self::Action(s) => &s.id,
            Self::Save(s) => &s.id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Query(_) => "query",
            Self::Transform(_) => "transform",
            Self::Action(_) => "action",
            Self::Save(_) => "save",
        }
    }
}

impl FlowDefinition {
    pub fn from_json(text: &str) -> Result<Self, DefinitionError> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a definition always serialises")
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a definition always serialises")
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id() == id)
    }

    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// The connections the flow uses, trigger first, without repeats.
    pub fn connections(&self) -> Vec<&ConnectionRef> {
        let mut out: Vec<&ConnectionRef> = Vec::new();
        let trigger = match &self.trigger {
            FlowTrigger::Connector(t) => Some(&t.connection),
            _ => None,
        };
        let steps = self.steps.iter().filter_map(|s| match s {
            Step::Action(a) => Some(&a.connection),
            _ => None,
        });
        for c in trigger.into_iter().chain(steps) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Makes the action steps on `connector` use the connection of the app user who starts
    /// the run (the builder chose an app user connector for it).
    pub fn use_app_user_connection(&mut self, connector: &str) {
        for step in &mut self.steps {
            if let Step::Action(a) = step
                && a.connection.connector == connector
            {
                a.connection.kind = ConnectionKind::AppUser;
            }
        }
    }

    /// The scopes the definition says it needs, per connector.
    pub fn declared_scopes(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        if let FlowTrigger::Connector(t) = &self.trigger {
            out.entry(t.connection.connector.clone()).or_default().extend(t.scopes.iter().cloned());
        }
        for step in &self.steps {
            if let Step::Action(a) = step {
                out.entry(a.connection.connector.clone()).or_default().extend(a.scopes.iter().cloned());
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn daily_tasks() -> FlowDefinition {
        FlowDefinition::from_json(
            &json!({
                "name": "Daily to-do email",
                "trigger": {"kind": "schedule", "cron": "0 8 * * *", "time_zone": "UTC"},
                "steps": [
                    {"kind": "query", "id": "open_tasks", "entity": "Task",
                     "filter": [{"field": "completed", "op": "eq", "value": false}]},
                    {"kind": "transform", "id": "task_list", "op": "render_list",
                     "from": "{{steps.open_tasks.items}}", "fields": ["title", "due_date"]},
                    {"kind": "action", "id": "send_email", "operation": "gmail.send_email",
                     "connection": {"connector": "gmail"},
                     "inputs": {"to": "ada@example.com", "subject": "Your open tasks",
                                "body": "{{steps.task_list.text}}"},
                     "scopes": ["https://www.googleapis.com/auth/gmail.send"]}
                ]
            })
            .to_string(),
        )
        .expect("valid definition")
    }

    #[test]
    fn a_definition_round_trips_through_json() {
        let def = daily_tasks();
        assert_eq!(def.format, FORMAT);
        assert_eq!(FlowDefinition::from_json(&def.to_json()).unwrap(), def);
        assert_eq!(FlowDefinition::from_json(&def.to_json_pretty()).unwrap(), def);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_place() {
        let mut value: Value = serde_json::from_str(&daily_tasks().to_json()).unwrap();
        value["steps"][2]["inptus"] = json!({});
        let err = FlowDefinition::from_json(&value.to_string()).unwrap_err();
        assert!(err.to_string().contains("unknown field `inptus`"), "{err}");
        let err = FlowDefinition::from_json(r#"{"name": "x", "steps": []}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `trigger`"), "{err}");
    }

    #[test]
    fn connections_and_scopes_are_collected_per_connector() {
        let def = daily_tasks();
        assert_eq!(def.connections(), [&ConnectionRef::shared("gmail")]);
        let scopes = def.declared_scopes();
        assert_eq!(scopes["gmail"].iter().collect::<Vec<_>>(), ["https://www.googleapis.com/auth/gmail.send"]);
    }
}
