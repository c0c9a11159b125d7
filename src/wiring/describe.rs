//! The flow in words, box by box, for pages that draw it as "trigger → step → step": a
//! title per box ("Every day at 08:00 (Europe/Paris)", "Gmail: Send an email") and a few
//! detail lines ("to: ada@example.com"). Views render these; they never read the JSON.

use super::cron;
use super::definition::*;
use super::refs::Reference;
use crate::catalog::Catalog;
use serde::Serialize;
use serde_json::Value;

/// One box of the drawing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Node {
    /// `schedule`, `entity_event`, `connector`, `button`, `query`, `transform`, `action`
    /// or `save`.
    pub kind: &'static str,
    /// The step's id; `None` for the trigger.
    pub id: Option<String>,
    pub title: String,
    pub details: Vec<String>,
    /// The connector id, for its badge.
    pub connector: Option<String>,
    pub scopes: Vec<String>,
}

impl FlowDefinition {
    /// The trigger, then each step, in order.
    pub fn outline(&self, catalog: &Catalog) -> Vec<Node> {
        let mut nodes: Vec<Node> = std::iter::once(trigger(&self.trigger, catalog))
            .chain(self.steps.iter().map(|s| step(s, catalog)))
            .collect();
        // References read as what they name: "the list headed “Open tasks”", never `{{…}}`.
        for n in &mut nodes {
            for d in &mut n.details {
                *d = in_words(d, self, catalog);
            }
        }
        nodes
    }

    /// The outline's titles joined by arrows, for one-line lists.
    pub fn summary(&self, catalog: &Catalog) -> String {
        self.outline(catalog).into_iter().map(|n| n.title).collect::<Vec<_>>().join(" → ")
    }
}

fn node(kind: &'static str, id: Option<&str>, title: String) -> Node {
    Node { kind, id: id.map(str::to_owned), title, details: Vec::new(), connector: None, scopes: Vec::new() }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// "Gmail: Send an email", or the operation id when the catalog lacks it.
fn operation_title(catalog: &Catalog, full: &str, trigger: bool) -> String {
    let Some((c, local)) = full.split_once('.') else { return full.to_owned() };
    let Some(connector) = catalog.get(c) else { return full.to_owned() };
    let op = if trigger { connector.trigger(local) } else { connector.action(local) };
    match op {
        Some(op) => format!("{}: {}", connector.name, op.name),
        None => format!("{}: {local}", connector.name),
    }
}

fn trigger(t: &FlowTrigger, catalog: &Catalog) -> Node {
    match t {
        FlowTrigger::Schedule(s) => {
            node("schedule", None, format!("{} ({})", capitalise(&cron::describe(&s.cron)), s.time_zone))
        }
        FlowTrigger::EntityEvent(e) => {
            let title = match (e.change, &e.field, &e.to) {
                (EntityChange::Created, ..) => format!("When a {} is created", e.entity),
                (EntityChange::Updated, ..) => format!("When a {} is updated", e.entity),
                (EntityChange::Deleted, ..) => format!("When a {} is deleted", e.entity),
                (EntityChange::FieldChanged, Some(f), Some(Value::Bool(true))) => {
                    format!("When a {} is marked {}", e.entity, f.replace('_', " "))
                }
                (EntityChange::FieldChanged, Some(f), Some(to)) => {
                    format!("When a {}'s {} changes to {}", e.entity, f.replace('_', " "), value(to))
                }
                (EntityChange::FieldChanged, Some(f), None) => format!("When a {}'s {} changes", e.entity, f),
                (EntityChange::FieldChanged, None, _) => format!("When a {} changes", e.entity),
            };
            let mut n = node("entity_event", None, title);
            n.details = e.filter.iter().map(|c| format!("only where {}", condition(c))).collect();
            n
        }
        FlowTrigger::Connector(c) => {
            let mut n = node("connector", None, operation_title(catalog, &c.operation, true));
            n.details = c.config.iter().map(|(k, v)| format!("{}: {}", k.replace('_', " "), value(v))).collect();
            n.connector = Some(c.connection.connector.clone());
            n.scopes = c.scopes.clone();
            n
        }
        FlowTrigger::Button(b) => {
            let on = b.page.as_ref().map(|p| format!(" on {p}")).unwrap_or_default();
            node("button", None, format!("When someone clicks “{}”{on}", b.label))
        }
    }
}

fn step(s: &Step, catalog: &Catalog) -> Node {
    match s {
        Step::Query(q) => {
            let mut n = node("query", Some(&q.id), format!("Find {} records", q.entity));
            n.details = q.filter.iter().map(|c| format!("where {}", condition(c))).collect();
            if let Some(sort) = &q.sort {
                let order = if sort.order == SortOrder::Desc { ", newest first" } else { "" };
                n.details.push(format!("sorted by {}{order}", sort.field.replace('_', " ")));
            }
            n
        }
        Step::Transform(t) => {
            let mut n = node("transform", Some(&t.id), "Write the list as text".into());
            n.details.push(format!("showing {}", t.fields.join(", ").replace('_', " ")));
            if let Some(h) = &t.heading {
                n.details.push(format!("headed “{h}”"));
            }
            n
        }
        Step::Action(a) => {
            let mut n = node("action", Some(&a.id), operation_title(catalog, &a.operation, false));
            n.details =
                a.inputs.iter().map(|(k, v)| format!("{}: {}", k.replace('_', " "), short(&value(v)))).collect();
            n.connector = Some(a.connection.connector.clone());
            n.scopes = a.scopes.clone();
            n
        }
        Step::Save(sv) => {
            let mut n = node("save", Some(&sv.id), format!("Save a {}", sv.entity));
            n.details = sv.values.iter().map(|(k, v)| format!("{k} ← {}", short(&value(v)))).collect();
            n
        }
    }
}

fn condition(c: &Condition) -> String {
    let field = c.field.replace('_', " ");
    match (&c.op, &c.value) {
        (Op::WithinLast | Op::WithinNext, Some(Value::String(d))) => format!("{field} {} {}", c.op.words(), span(d)),
        (op, Some(v)) => format!("{field} {} {}", op.words(), value(v)),
        (op, None) => format!("{field} {}", op.words()),
    }
}

/// "P1D" → "day"; other durations as written.
fn span(duration: &str) -> String {
    match duration {
        "PT1H" => "hour".into(),
        "P1D" => "day".into(),
        "P7D" | "P1W" => "week".into(),
        "P1M" => "month".into(),
        other => other.to_owned(),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Array(items) => items.iter().map(value).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The text with each `{{…}}` said in words; one that names nothing known stays as written.
fn in_words(text: &str, def: &FlowDefinition, catalog: &Catalog) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}").map(|c| open + c) else { break };
        out.push_str(&rest[..open]);
        match Reference::parse(&rest[open + 2..close]) {
            Ok(r) => out.push_str(&reference_words(&r, def, catalog)),
            Err(_) => out.push_str(&rest[open..close + 2]),
        }
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    out
}

fn reference_words(r: &Reference, def: &FlowDefinition, catalog: &Catalog) -> String {
    let words = |s: &str| s.replace('_', " ");
    match r {
        Reference::TriggerRecord(f) => match &def.trigger {
            FlowTrigger::EntityEvent(e) => format!("the {}'s {}", e.entity, words(f)),
            _ => format!("the new item's {}", words(f)),
        },
        Reference::TriggerPrevious(f) => format!("the {} before the change", words(f)),
        Reference::FiredAt => "the time of the run".into(),
        Reference::PeriodStart => "the time of the previous run".into(),
        Reference::Setting(name) => match def.settings.iter().find(|s| s.name == *name) {
            Some(s) => format!("your answer to “{}”", s.label),
            None => format!("the setting {}", words(name)),
        },
        Reference::AppMembersEmails => "everyone on the app's team".into(),
        Reference::AppName => "the app's name".into(),
        Reference::Step { id, output } => match def.steps.iter().find(|s| s.id() == id) {
            Some(Step::Query(q)) if output == "count" => format!("the number of {} records found", q.entity),
            Some(Step::Query(q)) => format!("the {} records found", q.entity),
            Some(Step::Transform(t)) => match (&t.heading, super::refs::whole(&t.from)) {
                (Some(h), _) => format!("the list headed “{h}”"),
                // Only a query's records are named here: a transform's own `from` could
                // point back at a transform.
                (None, Some(Reference::Step { id, .. })) => match def.steps.iter().find(|s| s.id() == id) {
                    Some(Step::Query(q)) => format!("the written list of the {} records found", q.entity),
                    _ => "the list written above".into(),
                },
                _ => "the list written above".into(),
            },
            Some(Step::Action(a)) => {
                let tool = a.operation.split_once('.').and_then(|(c, _)| catalog.get(c)).map(|c| c.name.as_str());
                format!("the {} {} gave back", words(output), tool.unwrap_or("tool"))
            }
            Some(Step::Save(sv)) => format!("the saved {}'s {}", sv.entity, words(output)),
            None => format!("the {} of an earlier step", words(output)),
        },
    }
}

/// One line of at most 80 characters.
fn short(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    let cut: String = line.chars().take(80).collect();
    if cut.len() < s.len() { format!("{cut}…") } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiring::definition::tests::daily_tasks;

    #[test]
    fn the_daily_email_reads_as_three_boxes_after_its_trigger() {
        let catalog = Catalog::embedded().unwrap();
        let outline = daily_tasks().outline(&catalog);
        let titles: Vec<&str> = outline.iter().map(|n| n.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Every day at 08:00 (UTC)", "Find Task records", "Write the list as text", "Gmail: Send an email"]
        );
        assert_eq!(outline[1].details, ["where completed is no"]);
        assert_eq!(
            outline[3].details,
            ["body: the written list of the Task records found", "subject: Your open tasks", "to: ada@example.com"]
        );
        assert_eq!(outline[3].connector.as_deref(), Some("gmail"));
        assert!(daily_tasks().summary(&catalog).starts_with("Every day at 08:00 (UTC) → Find Task records"));
    }

    #[test]
    fn record_events_and_buttons_read_as_when_clauses() {
        let catalog = Catalog::embedded().unwrap();
        let t = FlowTrigger::EntityEvent(EntityEvent {
            entity: "Deal".into(),
            change: EntityChange::FieldChanged,
            field: Some("stage".into()),
            to: Some("Closed Won".into()),
            filter: vec![Condition::new("amount", Op::Gt, 1000)],
        });
        let n = trigger(&t, &catalog);
        assert_eq!(n.title, "When a Deal's stage changes to Closed Won");
        assert_eq!(n.details, ["only where amount is more than 1000"]);
        let b = trigger(&FlowTrigger::Button(ButtonTrigger { label: "Send update".into(), page: None }), &catalog);
        assert_eq!(b.title, "When someone clicks “Send update”");
    }
}
