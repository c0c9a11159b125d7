//! Generation: from a routed request (intent + selected connectors), the app's structure
//! and time zone, the requesting user and the catalog, to a flow definition — or to an
//! explanation of why none can be built. Deterministic: the same request gives the same
//! flow, so the chat can regenerate it freely.

use super::definition::*;
use super::explain::Unbuildable;
use super::inputs::{self, Record, Sources};
use super::listing::{self, Listing};
use super::start::{self, Scene, Start};
use super::{access, fields};
use crate::app::{AppStructure, Entity};
use crate::catalog::{Capability, Catalog, Connector, InputKind, Operation};
use crate::intent::text::Text;
use crate::intent::{Event, Target};
use crate::ranking::{Role, RouteResult};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeMap;

/// Everything generation reads besides the route.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub app: &'a AppStructure,
    /// The app's IANA time zone: schedules run in it.
    pub time_zone: &'a str,
    /// The requesting user's email address: who "me" is.
    pub requester: &'a str,
    /// The chat message as typed.
    pub request: &'a str,
    pub message_id: Option<i64>,
}

const READ_PREFIXES: [&str; 7] = ["list_", "get_", "search_", "read_", "query_", "run_", "find_"];
const WRITE_PREFIXES: [&str; 5] = ["send_", "post_", "create_", "add_", "upload_"];
/// Words that ask for records of an app entity to go somewhere on a schedule.
const SUMMARY_WORDS: [&str; 5] = ["summary", "digest", "recap", "report", "update"];

/// One call to an outside tool.
struct Call<'c> {
    connector: &'c Connector,
    op: &'c Operation,
    reads: bool,
    /// The router chose this connector for the action (rather than it being inferred).
    assigned: bool,
}

/// Builds the flow the request asks for.
pub fn generate(route: &RouteResult, ctx: &Context<'_>) -> Result<FlowDefinition, Unbuildable> {
    if route.selected.is_empty() {
        return Err(Unbuildable::NoTool);
    }
    let intent = &route.intent;
    let selected: Vec<&Connector> = route.selected.iter().filter_map(|s| ctx.catalog.get(&s.connector)).collect();
    let mut calls = calls(route, ctx.catalog, &selected, &intent.targets);
    let scene = Scene {
        catalog: ctx.catalog,
        app: ctx.app,
        request: ctx.request,
        selected: selected.clone(),
        writes: calls.iter().any(|c| !c.reads),
        sends: calls.iter().any(|c| matches!(c.op.capability, Capability::Email | Capability::Chat | Capability::Sms)),
    };
    let start = start::read(intent, &scene)?;
    if let Start::Connector { connector, .. } = &start {
        // Actions the router left unassigned on the trigger's own tool describe the trigger.
        calls.retain(|c| c.assigned || c.connector.id != connector.id);
    }
    let words: Vec<String> = Text::new(ctx.request).tokens.into_iter().map(|t| t.lower).collect();
    let mut settings = Vec::new();
    let mut steps = Vec::new();
    let mut listing: Option<Listing> = None;
    let (trigger, record) = match &start {
        Start::Schedule { cron } => {
            let entity = match scene.data_entity(intent)? {
                Some(e) => Some(e),
                None if calls.iter().any(|c| c.reads) => None,
                None => Some(only_entity(ctx.app, &words)?),
            };
            listing = entity.map(|e| listing::build(e, &words, listing::period_of(cron), None, None));
            (schedule(cron, ctx), Record::None)
        }
        Start::Condition { entity, check, subject } => {
            listing = Some(listing::build(entity, &words, "P1D", Some(*check), subject.as_deref()));
            (schedule("0 8 * * *", ctx), Record::None)
        }
        Start::Record(r) => {
            let trigger = FlowTrigger::EntityEvent(EntityEvent {
                entity: r.entity.name.clone(),
                change: r.change,
                field: r.field.clone(),
                to: r.to.clone(),
                filter: r.filter.clone(),
            });
            (trigger, Record::Entity { entity: r.entity, headline: r.headline.clone() })
        }
        Start::Connector { connector, op, event } => {
            let config = config(connector, op, event, ctx.request, &intent.targets, &mut settings);
            let trigger = FlowTrigger::Connector(ConnectorTrigger {
                operation: format!("{}.{}", connector.id, op.id),
                connection: ConnectionRef::shared(connector.id.as_str()),
                config,
                scopes: op.scopes.clone(),
            });
            (trigger, Record::Outputs(&op.outputs))
        }
        Start::Button { label } => {
            (FlowTrigger::Button(ButtonTrigger { label: label.clone(), page: None }), Record::None)
        }
    };
    if let Some(l) = &listing {
        steps.push(Step::Query(l.query.clone()));
        steps.push(Step::Transform(l.render.clone()));
        if l.threshold {
            settings.push(Setting {
                name: "threshold".into(),
                label: "Below (or above) which value should it alert?".into(),
                kind: "number".into(),
                value: None,
            });
        }
    }
    let name = name_of(ctx.request);
    let fallback_title = match &start {
        Start::Button { label } => label.clone(),
        _ => name.clone(),
    };
    let mut sources = Sources {
        record,
        list: listing.as_ref().map(|l| (l.text_ref(), l.heading.clone())),
        read: None,
        targets: &intent.targets,
        requester: ctx.requester,
        scheduled: matches!(start, Start::Schedule { .. } | Start::Condition { .. }),
        fallback_title,
    };
    let (reads, writes): (Vec<&Call<'_>>, Vec<&Call<'_>>) = calls.iter().partition(|c| c.reads);
    for call in reads.iter().chain(writes.iter()) {
        let id = unique_id(&call.op.id, &steps);
        let inputs = inputs::map(call.connector, call.op, &sources, &mut settings);
        if call.reads {
            sources.read = Some(format!("{{{{steps.{id}.result}}}}"));
        }
        steps.push(Step::Action(ActionStep {
            id,
            operation: format!("{}.{}", call.connector.id, call.op.id),
            connection: ConnectionRef::shared(call.connector.id.as_str()),
            inputs,
            scopes: call.op.scopes.clone(),
        }));
    }
    if writes.is_empty() {
        match (&start, &sources.record) {
            // "When a new email with the label Invoices arrives, create a task".
            (Start::Connector { connector, .. }, Record::Outputs(outputs)) => {
                let entity = scene
                    .data_entity(intent)?
                    .ok_or_else(|| Unbuildable::NothingToDo { connector: connector.name.clone() })?;
                steps.push(Step::Save(save(entity, outputs, &steps)));
            }
            _ => {
                let names: Vec<&str> = selected.iter().map(|c| c.name.as_str()).collect();
                return Err(Unbuildable::NotAFlow { connectors: names.join(" and ") });
            }
        }
    }
    Ok(FlowDefinition {
        format: FORMAT.to_owned(),
        name,
        source_message_id: ctx.message_id,
        request: Some(ctx.request.trim().to_owned()),
        trigger,
        steps,
        settings,
    })
}

/// The outside calls the request asks for, in the intent's order. An action the router
/// left without an operation (its tool was taken for the trigger) gets the tool's action
/// of the same kind; a chat message to "me" with no channel becomes a direct message.
fn calls<'c>(
    route: &RouteResult,
    catalog: &'c Catalog,
    selected: &[&'c Connector],
    targets: &[Target],
) -> Vec<Call<'c>> {
    let mut out: Vec<Call<'c>> = Vec::new();
    let role_of = |id: &str| route.selected.iter().find(|s| s.connector == id).map(|s| s.role);
    for a in &route.intent.actions {
        let assigned = a.connector.as_deref().and_then(|c| catalog.get(c));
        let connector =
            assigned.or_else(|| selected.iter().copied().find(|c| a.capability.is_some_and(|cap| c.serves(cap))));
        let Some(connector) = connector else { continue };
        let op = a
            .operation
            .as_deref()
            .and_then(|id| access::operation(catalog, id, false))
            .or_else(|| best_action(connector, a.capability));
        let Some(op) = op else { continue };
        let op = fit_targets(connector, op, targets);
        if out.iter().any(|c| c.connector.id == connector.id && c.op.id == op.id) {
            continue;
        }
        let reads =
            role_of(connector.id.as_str()) == Some(Role::Source) || READ_PREFIXES.iter().any(|p| op.id.starts_with(p));
        out.push(Call { connector, op, reads, assigned: assigned.is_some() });
    }
    out
}

fn best_action(c: &Connector, capability: Option<crate::catalog::Capability>) -> Option<&Operation> {
    let of_kind = |op: &&Operation| capability.is_none_or(|cap| op.capability == cap);
    c.actions
        .iter()
        .filter(of_kind)
        .find(|op| WRITE_PREFIXES.iter().any(|p| op.id.starts_with(p)))
        .or_else(|| c.actions.iter().find(of_kind))
}

/// "Notify me in Slack": with no channel named, a message to the requester goes to them
/// directly, through the tool's action that takes a person rather than a channel.
fn fit_targets<'c>(c: &'c Connector, op: &'c Operation, targets: &[Target]) -> &'c Operation {
    let needs_channel = op.inputs.iter().any(|i| i.required && i.kind == InputKind::Channel);
    let has_channel = targets.iter().any(|t| matches!(t, Target::Channel { .. }));
    let to_me = targets.iter().any(|t| matches!(t, Target::Me | Target::Person { .. }));
    if !(needs_channel && to_me && !has_channel) {
        return op;
    }
    c.actions
        .iter()
        .find(|a| a.capability == op.capability && a.inputs.iter().any(|i| i.required && i.kind == InputKind::User))
        .unwrap_or(op)
}

fn schedule(cron: &str, ctx: &Context<'_>) -> FlowTrigger {
    let time_zone = if ctx.time_zone.is_empty() { "UTC" } else { ctx.time_zone };
    FlowTrigger::Schedule(ScheduleTrigger { cron: cron.to_owned(), time_zone: time_zone.to_owned() })
}

/// A summary with no data named covers the app's one entity; with several, the builder
/// says which.
fn only_entity<'a>(app: &'a AppStructure, words: &[String]) -> Result<&'a Entity, Unbuildable> {
    let summary = words.iter().any(|w| SUMMARY_WORDS.contains(&w.as_str()));
    match app.entities.as_slice() {
        [one] if summary => Ok(one),
        _ => Err(Unbuildable::WhichData { entities: app.entities.iter().map(|e| e.name.clone()).collect() }),
    }
}

/// A connector trigger's inputs: a channel target, a value the event names for the
/// trigger's own field ("stage"), or `<input> <Value>` in the request ("with the label
/// Invoices", "from billing@acme.com"); required ones nothing fills become settings.
fn config(
    c: &Connector,
    op: &Operation,
    event: &Event,
    request: &str,
    targets: &[Target],
    settings: &mut Vec<Setting>,
) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for input in &op.inputs {
        let named = |pattern: &str| {
            let re = Regex::new(&format!(r#"(?i)\b{}\s+{pattern}"#, regex::escape(&input.name))).ok()?;
            let caps = re.captures(request)?;
            (1..caps.len()).find_map(|i| caps.get(i)).map(|m| m.as_str().to_owned())
        };
        let value = match input.kind {
            InputKind::Channel => targets.iter().find_map(|t| match t {
                Target::Channel { name } => Some(name.clone()),
                _ => None,
            }),
            InputKind::Email => named(r"([\w.+-]+@[\w-]+\.[\w.-]+)"),
            _ if event.field.as_deref() == Some(input.name.as_str()) => event.value.clone(),
            _ => named(r#"(?:"([^"]+)"|'([^']+)'|([A-Z][\w-]*))"#),
        };
        match value {
            Some(v) => {
                out.insert(input.name.clone(), Value::String(v));
            }
            None if input.required => {
                out.insert(input.name.clone(), Value::String(inputs::setting(c, input, settings)));
            }
            None => {}
        }
    }
    out
}

/// Creates a record of the entity from the trigger's outputs, field by field.
fn save(entity: &Entity, outputs: &[String], steps: &[Step]) -> SaveStep {
    let mut values = BTreeMap::new();
    let title = fields::title(entity);
    for f in &entity.fields {
        let from = outputs.iter().find(|o| fields::named(entity, o) == Some(f.name.as_str())).or_else(|| {
            (Some(f.name.as_str()) == title)
                .then(|| outputs.iter().find(|o| ["subject", "title", "name", "text"].contains(&o.as_str())))
                .flatten()
        });
        if let Some(o) = from {
            values.insert(f.name.clone(), Value::String(format!("{{{{trigger.record.{o}}}}}")));
        }
    }
    let id = unique_id(&format!("save_{}", listing::plural_id(&entity.name)), steps);
    SaveStep { id, entity: entity.name.clone(), values, match_on: None }
}

fn unique_id(base: &str, steps: &[Step]) -> String {
    let mut id = base.to_owned();
    let mut n = 2;
    while steps.iter().any(|s| s.id() == id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}

/// The request as the flow's name: one line, at most 80 characters, no final stop.
pub fn name_of(request: &str) -> String {
    let one_line = request.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = one_line.trim_end_matches(['.', '!', '?']).trim();
    let mut name = if trimmed.chars().count() > 80 {
        let cut: String = trimmed.chars().take(80).collect();
        let at = cut.rfind(' ').unwrap_or(cut.len());
        format!("{}…", &cut[..at])
    } else {
        trimmed.to_owned()
    };
    if let Some(first) = name.chars().next() {
        name.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    if name.is_empty() { "Untitled flow".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_names_the_flow() {
        assert_eq!(name_of("send me a daily email.\n"), "Send me a daily email");
        let long = "word ".repeat(30);
        assert!(name_of(&long).ends_with('…') && name_of(&long).chars().count() <= 81);
        assert_eq!(name_of("   "), "Untitled flow");
    }
}
