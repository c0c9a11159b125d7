//! The steps of a flow from its acts: one action step per call, reads first, each with
//! its inputs mapped; a save step per write into the app's records; and a connector
//! trigger's config from the words of its clause.

use super::actions::{Act, Reading, is_read};
use super::definition::*;
use super::inputs::{self, Record, Sources};
use super::start::{STATE_INPUTS, Scene};
use super::{conditions, fields, listing, named};
use crate::app::Entity;
use crate::catalog::{Connector, InputKind, Operation};
use crate::intent::Event;
use crate::intent::text::Text;
use crate::intent::{Target, targets};
use crate::ranking::{Role, RouteResult};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// "as closed", "to Done", "as 'In review'": the value a save writes.
static AS_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:as|to|into)\s+(?:the\s+)?("[^"]+"|'[^']+'|[a-z0-9-]+(?:\s+[a-z0-9-]+)?)\s*$"#)
        .expect("as value regex")
});

/// Adds what the router chose that the words alone did not give: tools a step reads from
/// (a source), and named tools whose order the reading missed.
pub fn with_routed<'c, 'a>(
    mut acts: Vec<Act<'c, 'a>>,
    route: &RouteResult,
    text: &Text,
    r: &Reading<'c, 'a>,
) -> Vec<Act<'c, 'a>> {
    let named: Vec<String> = named::tools(text, r.catalog, r.app).iter().map(|m| m.connector.id.to_string()).collect();
    for s in &route.selected {
        let covered =
            acts.iter().any(|a| matches!(a, Act::Call { connector, .. } if connector.id.as_str() == s.connector));
        let is_trigger = r.trigger_connector == Some(s.connector.as_str()) || s.role == Role::Trigger;
        if covered || is_trigger || !(s.role == Role::Source || named.contains(&s.connector)) {
            continue;
        }
        let Some(connector) = r.catalog.get(&s.connector) else { continue };
        let op = s.actions.iter().find_map(|full| full.split_once('.').and_then(|(_, local)| connector.action(local)));
        let Some(op) = op else { continue };
        let clause = super::actions::Clause { start: 0, end: 0, original: String::new(), lower: String::new() };
        let reads = s.role == Role::Source || is_read(op);
        acts.push(Act::Call { connector, op, clause, reads });
    }
    acts
}

/// Appends the acts as steps: reads first, then the rest in order. Returns whether the
/// flow does anything besides reading, and the fields its people need that are missing.
pub fn append<'s>(
    acts: &'s [Act<'_, '_>],
    mut src: Sources<'s>,
    trigger_entity: Option<&str>,
    steps: &mut Vec<Step>,
    settings: &mut Vec<Setting>,
    notes: &mut Vec<String>,
) -> (bool, Vec<(String, String)>, Option<String>) {
    let (reads, writes): (Vec<&'s Act<'_, '_>>, Vec<&'s Act<'_, '_>>) =
        acts.iter().partition(|a| matches!(a, Act::Call { reads: true, .. }));
    let mut wrote = false;
    for act in reads.into_iter().chain(writes) {
        match act {
            Act::Call { connector, op, clause, reads } => {
                let id = unique_id(&op.id, steps);
                src.clause = &clause.original;
                let inputs = inputs::map(connector, op, &src, settings);
                if *reads {
                    src.read = Some(format!("{{{{steps.{id}.result}}}}"));
                } else {
                    wrote = true;
                }
                steps.push(Step::Action(ActionStep {
                    id,
                    operation: format!("{}.{}", connector.id, op.id),
                    connection: ConnectionRef::shared(connector.id.as_str()),
                    inputs,
                    scopes: op.scopes.clone(),
                }));
            }
            Act::Save { entity, clause, update } => {
                let save = save_act(entity, *update, &clause.lower, &src.record, trigger_entity, steps, notes);
                steps.push(Step::Save(save));
                wrote = true;
            }
            Act::Outside { .. } => {}
        }
    }
    notes.extend(src.said.take());
    (wrote, src.missing.take(), src.per_person.take())
}

/// A save into `entity`: values from the trigger's record, the value the clause names
/// ("set the ticket to resolved"), and for an update the record it finds.
fn save_act(
    entity: &Entity,
    update: bool,
    clause: &str,
    record: &Record<'_>,
    trigger_entity: Option<&str>,
    steps: &[Step],
    notes: &mut Vec<String>,
) -> SaveStep {
    let mut save = match record {
        Record::Outputs(outputs) => save(entity, outputs, steps, None),
        Record::Entity { entity: from, .. } if from.name != entity.name => {
            let names: Vec<String> = from.fields.iter().map(|f| f.name.clone()).collect();
            save(entity, &names, steps, None)
        }
        _ => save(entity, &[], steps, None),
    };
    if let Some(c) = AS_VALUE.captures(clause).filter(|c| update && !c[1].starts_with("a ") && !c[1].starts_with("an "))
    {
        let value = c[1].trim_matches(|ch| ch == '"' || ch == '\'').to_owned();
        let done = ["done", "complete", "completed", "closed", "finished", "resolved"].contains(&value.as_str());
        let field = fields::done_flag(entity)
            .filter(|_| done)
            .map(|f| (f, Value::Bool(true)))
            .or_else(|| {
                fields::named_as(entity, &value).filter(|f| fields::is_flag(entity, f)).map(|f| (f, Value::Bool(true)))
            })
            .or_else(|| fields::status(entity).map(|f| (f, Value::String(value.clone()))));
        if let Some((f, v)) = field {
            save.values.insert(f.to_owned(), v);
        }
    }
    if !update {
        return save;
    }
    if trigger_entity == Some(entity.name.as_str()) {
        save.values.insert("id".into(), Value::String("{{trigger.record.id}}".into()));
        save.match_on = Some("id".into());
        return save;
    }
    match (fields::title(entity), record) {
        (Some(title), Record::Outputs(outputs)) => {
            if let Some(o) = ["title", "name", "subject", "key"].iter().find(|o| outputs.iter().any(|x| x == *o)) {
                save.values.insert(title.to_owned(), Value::String(format!("{{{{trigger.record.{o}}}}}")));
                save.match_on = Some(title.to_owned());
                notes.push(format!(
                    "The {} to update is the one whose {title} is the same as the trigger's {o}.",
                    entity.name
                ));
            }
        }
        _ => notes.push(format!(
            "No field links the trigger to one {}: the flow adds a new one instead of updating.",
            entity.name
        )),
    }
    save
}

/// Creates a record of the entity from the trigger's outputs, field by field.
pub fn save(entity: &Entity, outputs: &[String], steps: &[Step], match_on: Option<String>) -> SaveStep {
    let mut values = BTreeMap::new();
    let title = fields::title(entity);
    // A person's record takes a person's name ("the sender"); anything else a title.
    let person =
        title.is_some_and(|t| ["name", "full_name", "contact_name"].contains(&t)) && !fields::emails(entity).is_empty();
    let title_outputs: &[&str] = if person {
        &["name", "full_name", "author", "customer", "contact", "from"]
    } else {
        &["subject", "title", "name", "text"]
    };
    for f in &entity.fields {
        let from = outputs
            .iter()
            .find(|o| fields::named(entity, o) == Some(f.name.as_str()))
            .or_else(|| {
                outputs.iter().find(|o| o.as_str() == f.name || fields::named_as(entity, o) == Some(f.name.as_str()))
            })
            .or_else(|| {
                fields::is_email(entity, &f.name)
                    .then(|| outputs.iter().find(|o| inputs::EMAIL_OUTPUTS.contains(&o.as_str())))
                    .flatten()
            })
            .or_else(|| {
                (Some(f.name.as_str()) == title)
                    .then(|| title_outputs.iter().find_map(|t| outputs.iter().find(|o| o.as_str() == *t)))
                    .flatten()
            });
        if let Some(o) = from {
            values.insert(f.name.clone(), Value::String(format!("{{{{trigger.record.{o}}}}}")));
        }
    }
    let id = unique_id(&format!("save_{}", listing::plural_id(&entity.name)), steps);
    SaveStep { id, entity: entity.name.clone(), values, match_on }
}

/// A connector trigger's inputs: the value the event moves to for the trigger's own state
/// input ("stage"), a channel, an address, or a value named next to the input's word
/// ("the 'Spring Promo' Trello board", "with the label Invoices"); required ones
/// nothing fills become settings.
pub fn config(
    c: &Connector,
    op: &Operation,
    event: &Event,
    text: &Text,
    scene: &Scene<'_>,
    settings: &mut Vec<Setting>,
) -> BTreeMap<String, Value> {
    let found = targets::find(text);
    let tools: Vec<String> =
        named::tools(text, scene.catalog, scene.app).iter().map(|m| m.connector.name.clone()).collect();
    let mut out = BTreeMap::new();
    for input in &op.inputs {
        let value = match input.kind {
            _ if STATE_INPUTS.contains(&input.name.as_str()) && event.value.is_some() => {
                event.value.clone().filter(|v| v != "done" || !op.id.contains("complet"))
            }
            InputKind::Channel => found.iter().find_map(|t| match t {
                Target::Channel { name } => Some(name.clone()),
                _ => None,
            }),
            InputKind::Email => found.iter().find_map(|t| match t {
                Target::Address { email } => Some(email.clone()),
                _ => None,
            }),
            _ => inputs::named_value(&input.name, &event.text, &tools),
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

/// Words that pick records which a connector's trigger cannot filter on, said in a note.
pub fn unsaid_conditions(event: &Event, scene: &Scene<'_>) -> Vec<String> {
    conditions::mentioned(&scene.lower_without(&[]))
        .into_iter()
        .map(|words| format!("The trigger cannot check \"{words}\" by itself: every {} starts the flow.", thing(event)))
        .collect()
}

fn thing(event: &Event) -> String {
    event.subject.clone().unwrap_or_else(|| "event".into())
}

pub fn unique_id(base: &str, steps: &[Step]) -> String {
    let mut id = base.to_owned();
    let mut n = 2;
    while steps.iter().any(|s| s.id() == id) {
        id = format!("{base}_{n}");
        n += 1;
    }
    id
}
