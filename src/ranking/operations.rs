//! Which of a selected connector's operations the request asks for, and how they fill the
//! intent (the action's connector and operation, the trigger's source).

use super::request::Role;
use crate::catalog::{Capability, Connector, Operation};
use crate::intent::text::{singular, words_of};
use crate::intent::{Analysis, Intent, IntentAction, Trigger};
use rustc_hash::FxHashSet as HashSet;

const READ_PREFIXES: [&str; 7] = ["list_", "get_", "search_", "read_", "query_", "run_", "find_"];

/// The words of each operation's name and phrases (singular), per connector in catalog
/// order, actions then triggers: computed once at start, compared on every request.
pub fn words_of_operations(c: &Connector) -> Vec<HashSet<String>> {
    c.operations()
        .map(|op| {
            op.phrases
                .iter()
                .chain(std::iter::once(&op.name))
                .flat_map(|p| words_of(p))
                .map(|w| singular(&w))
                .filter(|w| w.len() > 2)
                .collect()
        })
        .collect()
}

/// The singular words of the connector's operation names: the things it is made for.
pub fn words_of_names(c: &Connector) -> HashSet<String> {
    c.operations().flat_map(|op| words_of(&op.name)).map(|w| singular(&w)).filter(|w| w.len() > 2).collect()
}

/// The best operation for the connector's role: a trigger when the flow starts from it,
/// an action otherwise; ties go to the one whose phrases share most words with the request.
/// `op_words` is [`words_of_operations`] for this connector.
/// The request's words, singular, as `choose` compares them with an operation's.
pub fn request_words(a: &Analysis) -> HashSet<String> {
    a.text.tokens.iter().map(|t| singular(&t.lower)).collect()
}

/// `words`: the request's, from `request_words` (read once for every selected tool).
pub fn choose(
    words: &HashSet<String>,
    c: &Connector,
    op_words: &[HashSet<String>],
    role: Role,
    needs: &[Capability],
) -> Vec<String> {
    let triggers = role == Role::Trigger && !c.triggers.is_empty();
    let (pool, offset): (&[Operation], usize) = if triggers { (&c.triggers, c.actions.len()) } else { (&c.actions, 0) };
    let mut best: Option<(f32, &Operation)> = None;
    for (i, op) in pool.iter().enumerate() {
        let score = fit(op, &op_words[offset + i], words, role, needs);
        // Earlier operations win ties: catalogs list the main one first.
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, op));
        }
    }
    best.map(|(_, op)| format!("{}.{}", c.id, op.id)).into_iter().collect()
}

fn fit(op: &Operation, own: &HashSet<String>, words: &HashSet<String>, role: Role, needs: &[Capability]) -> f32 {
    let mut score = 0.0;
    if needs.contains(&op.capability) {
        score += 3.0;
    }
    score += own.iter().filter(|w| words.contains(*w)).count() as f32;
    let reads = READ_PREFIXES.iter().any(|p| op.id.starts_with(p));
    if role == Role::Source && reads {
        score += 2.0;
    }
    score
}

/// Writes the chosen connector and operation into the intent.
pub fn attach(intent: &mut Intent, c: &Connector, role: Role, ops: &[String], needs: &[Capability]) {
    let Some(op_id) = ops.first() else { return };
    let local = op_id.split_once('.').map_or(op_id.as_str(), |(_, l)| l);
    if role == Role::Trigger
        && let Some(Trigger::Event { connector, operation, .. }) = &mut intent.trigger
    {
        *connector = Some(c.id.to_string());
        *operation = Some(op_id.clone());
        return;
    }
    let op = c.operations().find(|o| o.id == local);
    let unfilled = intent.actions.iter_mut().find(|a| {
        a.connector.is_none()
            && a.capability.is_some_and(|cap| needs.contains(&cap) || op.is_some_and(|o| o.capability == cap))
    });
    match unfilled {
        Some(action) => {
            action.connector = Some(c.id.to_string());
            action.operation = Some(op_id.clone());
        }
        None => intent.actions.push(IntentAction {
            verb: op.map(|o| verb_of(&o.id)).unwrap_or_else(|| "use".into()),
            object: op.map(|o| object_of(&o.id)).unwrap_or_default(),
            capability: op.map(|o| o.capability),
            connector: Some(c.id.to_string()),
            operation: Some(op_id.clone()),
            text: op.map(|o| o.name.clone()).unwrap_or_default(),
        }),
    }
}

fn verb_of(id: &str) -> String {
    id.split('_').next().unwrap_or(id).to_owned()
}

fn object_of(id: &str) -> String {
    id.split_once('_').map(|(_, rest)| rest.replace('_', " ")).unwrap_or_default()
}
