//! Between the router and a model: what the model is shown (the top candidates, never
//! the whole catalog), the router's answer in the model's shape, and the checks a model's
//! answer passes before it replaces the router's. Anything the checks refuse is named in
//! the output (`llm.dropped`); an answer with nothing usable left is no answer at all.

use super::merge_intent;
use super::request::{DecidedBy, LlmNote, Ranked, Role, RouteRequest, RouteResult, Selected};
use crate::app::AppStructure;
use crate::catalog::{Catalog, Connector};
use crate::intent::model::{
    ActionSketch, CandidateInfo, Decision, IntentSketch, ModelError, ModelInput, OperationInfo, Pick, TriggerKind,
    TriggerSketch,
};
use crate::intent::{Target, Trigger};

/// How many of the router's best candidates the model sees.
pub const CANDIDATES: usize = 12;
/// The score of a connector only the LLM chose (the router's scale: named tools ≈ 0.9).
const LLM_ONLY_SCORE: f32 = 0.85;

/// The model's input: the request and its context, the router's top candidates plus any
/// chip outside them (the builder picked it), and the router's own pick as a hint.
pub fn input(catalog: &Catalog, request: &RouteRequest, offline: &RouteResult) -> ModelInput {
    let mut ids: Vec<&str> = offline.ranked.iter().take(CANDIDATES).map(|r| r.connector.as_str()).collect();
    for id in offline.selected.iter().map(|s| s.connector.as_str()).chain(request.chips.iter().map(String::as_str)) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let candidates = ids.iter().filter_map(|id| catalog.get(id)).map(candidate).collect();
    let mut app = request.app.clone();
    let connected = std::mem::take(&mut app.connected);
    let rules = decision_of(offline);
    ModelInput {
        request: request.prompt.trim().to_owned(),
        app,
        connected,
        chips: request.chips.clone(),
        candidates,
        router_pick: rules.selected.clone(),
        rules,
    }
}

fn candidate(c: &Connector) -> CandidateInfo {
    let op = |o: &crate::catalog::Operation| OperationInfo {
        id: format!("{}.{}", c.id, o.id),
        name: o.name.clone(),
        description: o.description.clone(),
        scopes: o.scopes.clone(),
    };
    CandidateInfo {
        id: c.id.to_string(),
        name: c.name.clone(),
        description: c.description.clone(),
        actions: c.actions.iter().map(op).collect(),
        triggers: c.triggers.iter().map(op).collect(),
    }
}

/// The router's answer in the model's shape (what the rules model answers).
pub fn decision_of(result: &RouteResult) -> Decision {
    let selected = result
        .selected
        .iter()
        .map(|s| Pick { connector: s.connector.clone(), role: s.role, actions: s.actions.clone() })
        .collect();
    let trigger = match &result.intent.trigger {
        None => TriggerSketch::default(),
        Some(Trigger::Schedule(s)) => {
            TriggerSketch { kind: TriggerKind::Schedule, text: s.text.clone(), ..Default::default() }
        }
        Some(Trigger::Event { event, connector, operation, .. }) => TriggerSketch {
            kind: TriggerKind::Event,
            text: event.text.clone(),
            connector: connector.clone(),
            operation: operation.clone(),
        },
    };
    let actions = result
        .intent
        .actions
        .iter()
        .map(|a| ActionSketch {
            verb: a.verb.clone(),
            object: a.object.clone(),
            connector: a.connector.clone(),
            operation: a.operation.clone(),
        })
        .collect();
    let data = result
        .intent
        .data
        .iter()
        .map(|d| match (&d.entity, d.fields.first()) {
            (Some(e), Some(f)) => format!("{e}.{f}"),
            (Some(e), None) => e.clone(),
            _ => d.mention.clone(),
        })
        .collect();
    let targets = result.intent.targets.iter().map(target_words).collect();
    Decision {
        selected,
        intent: IntentSketch { trigger, actions, data, targets },
        reason: "the offline rules' answer".into(),
    }
}

fn target_words(t: &Target) -> String {
    match t {
        Target::Channel { name } => name.clone(),
        Target::Me => "me".into(),
        Target::Team { name } => format!("the {name}"),
        Target::Person { handle } => handle.clone(),
        Target::Address { email } => email.clone(),
        Target::RecordPerson { who } => format!("each {who}"),
    }
}

/// What a model may choose from: the candidates it was shown, and the tools the request
/// names.
pub struct Allowed<'a> {
    pub candidates: Vec<&'a str>,
    pub named: &'a [String],
}

impl Allowed<'_> {
    fn contains(&self, id: &str) -> bool {
        self.candidates.contains(&id) || self.named.iter().any(|n| n == id)
    }
}

/// Checks a model's decision and, when something usable is left, builds the answer from
/// it on top of the router's (its ranking, its parsed schedule and data).
pub fn apply(
    catalog: &Catalog,
    app: &AppStructure,
    offline: &RouteResult,
    decision: Decision,
    allowed: &Allowed<'_>,
    model: &str,
) -> Result<RouteResult, ModelError> {
    let mut dropped: Vec<String> = Vec::new();
    let mut picks: Vec<(&Connector, Role, Vec<String>)> = Vec::new();
    for pick in &decision.selected {
        let id = pick.connector.trim().to_lowercase();
        let Some(c) = catalog.get(&id) else {
            dropped.push(format!("unknown connector '{}'", pick.connector));
            continue;
        };
        if !allowed.contains(&id) {
            dropped.push(format!("'{id}' is not among the candidates and the request does not name it"));
            continue;
        }
        let mut ops = Vec::new();
        for op in &pick.actions {
            match operation_of(c, op) {
                Some(full) if !ops.contains(&full) => ops.push(full),
                Some(_) => {}
                None => dropped.push(format!("unknown operation '{op}' for '{id}'")),
            }
        }
        // A flow cannot start from a tool that has no triggers: it is read from instead.
        let role = if pick.role == Role::Trigger && c.triggers.is_empty() { Role::Source } else { pick.role };
        match picks.iter_mut().find(|(p, _, _)| p.id == c.id) {
            Some((_, _, existing)) => {
                for op in ops {
                    if !existing.contains(&op) {
                        existing.push(op);
                    }
                }
            }
            None => picks.push((c, role, ops)),
        }
    }
    if picks.is_empty() && !decision.selected.is_empty() {
        return Err(ModelError::BadAnswer(format!("no usable connector in the answer ({})", dropped.join("; "))));
    }
    // Triggers first, then sources, then actions, as the router orders them.
    picks.sort_by_key(|(_, role, _)| *role);

    let selected: Vec<Selected> = picks
        .into_iter()
        .map(|(c, role, mut ops)| {
            let by_router = offline.selected.iter().find(|s| s.connector == c.id.as_str());
            if ops.is_empty() {
                ops = by_router.map(|s| s.actions.clone()).unwrap_or_else(|| first_operation(c, role));
            }
            let score = by_router.map_or(LLM_ONLY_SCORE, |s| s.score);
            Selected { connector: c.id.to_string(), role, score, actions: ops }
        })
        .collect();

    let intent = merge_intent::merge(catalog, app, &offline.intent, &decision.intent, &selected);
    let ranked = rerank(offline, &selected);
    // The rules' questions stay where the model chose none of their options.
    let asks = offline
        .asks
        .iter()
        .filter(|a| !a.options.iter().any(|o| selected.iter().any(|s| &s.connector == o)))
        .cloned()
        .collect();
    Ok(RouteResult {
        selected,
        ranked,
        intent,
        decided_by: DecidedBy::Llm,
        fallback_reason: None,
        prompt_version: None,
        llm: Some(LlmNote { model: model.to_owned(), reason: decision.reason.trim().to_owned(), dropped }),
        asks,
        explain: None,
    })
}

/// `gmail.send_email` or `send_email` → `gmail.send_email`, when the connector has it.
fn operation_of(c: &Connector, op: &str) -> Option<String> {
    let op = op.trim();
    let local = match op.split_once('.') {
        Some((id, local)) if id.eq_ignore_ascii_case(c.id.as_str()) => local,
        Some(_) => return None,
        None => op,
    };
    c.operations().find(|o| o.id == local).map(|o| format!("{}.{}", c.id, o.id))
}

/// When the model named no valid operation: the connector's main one for the role.
fn first_operation(c: &Connector, role: Role) -> Vec<String> {
    let pool = if role == Role::Trigger && !c.triggers.is_empty() { &c.triggers } else { &c.actions };
    pool.first().map(|o| format!("{}.{}", c.id, o.id)).into_iter().collect()
}

/// The selection first, in its order, then the router's ranking; nothing is lost, so
/// `ranked` keeps at least as many candidates as the router gave.
fn rerank(offline: &RouteResult, selected: &[Selected]) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = selected
        .iter()
        .map(|s| {
            let mut entry = offline.ranked.iter().find(|r| r.connector == s.connector).cloned().unwrap_or(Ranked {
                connector: s.connector.clone(),
                score: s.score,
                why: Vec::new(),
            });
            entry.why.push(format!("chosen by the LLM ({})", role_word(s.role)));
            entry
        })
        .collect();
    for r in &offline.ranked {
        if selected.iter().any(|s| s.connector == r.connector) {
            continue;
        }
        let mut entry = r.clone();
        if offline.selected.iter().any(|s| s.connector == r.connector) {
            entry.why.push("not chosen by the LLM".into());
        }
        ranked.push(entry);
    }
    ranked
}

fn role_word(role: Role) -> &'static str {
    match role {
        Role::Trigger => "trigger",
        Role::Source => "source",
        Role::Action => "action",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranking::Router;
    use std::sync::{Arc, LazyLock};

    static ROUTER: LazyLock<Router> =
        LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));

    fn pick(connector: &str, ops: &[&str]) -> Pick {
        Pick { connector: connector.into(), role: Role::Action, actions: ops.iter().map(|s| s.to_string()).collect() }
    }

    fn decide(prompt: &str, picks: Vec<Pick>, candidates: Vec<&str>) -> Result<RouteResult, ModelError> {
        let request = RouteRequest::new(prompt);
        let offline = ROUTER.route(&request).expect("route");
        let named = ROUTER.named_connectors(prompt, &request.app);
        let decision = Decision { selected: picks, reason: "because".into(), ..Decision::default() };
        apply(ROUTER.catalog(), &request.app, &offline, decision, &Allowed { candidates, named: &named }, "m")
    }

    #[test]
    fn a_tool_the_request_names_may_be_chosen_even_outside_the_candidates() {
        let prompt = "post the weekly numbers to Discord";
        assert_eq!(ROUTER.named_connectors(prompt, &Default::default()), ["discord"]);
        let chosen = decide(prompt, vec![pick("discord", &["discord.post_message"])], vec!["slack"]).expect("allowed");
        assert_eq!(chosen.selected_ids(), ["discord"]);
        let refused = decide(prompt, vec![pick("telegram", &[])], vec!["slack"]).unwrap_err();
        assert!(refused.to_string().contains("not among the candidates"), "{refused}");
    }

    #[test]
    fn a_negated_or_compared_tool_is_not_counted_as_named() {
        assert!(ROUTER.named_connectors("build a chat like Slack, without Discord", &Default::default()).is_empty());
    }

    #[test]
    fn an_empty_answer_means_no_tool_and_a_missing_operation_gets_the_main_one() {
        let none = decide("make the header sticky", Vec::new(), vec!["slack"]).expect("no tool");
        assert!(none.selected.is_empty());
        assert!(none.ranked.len() >= CANDIDATES);
        let filled = decide("tell the team on Slack", vec![pick("slack", &["slack.nope"])], vec!["slack"]).unwrap();
        assert_eq!(filled.selected[0].actions.len(), 1);
        assert!(filled.selected[0].actions[0].starts_with("slack."));
        assert_eq!(filled.llm.unwrap().dropped, ["unknown operation 'slack.nope' for 'slack'"]);
    }

    #[test]
    fn the_model_sees_the_top_candidates_and_every_chip_with_full_operation_ids() {
        let mut request = RouteRequest::new("email me the weekly numbers");
        request.chips = vec!["figma".into()];
        request.app.connected = vec!["outlook".into()];
        let offline = ROUTER.route(&request).unwrap();
        let input = input(ROUTER.catalog(), &request, &offline);
        assert!(input.candidates.len() <= CANDIDATES + 1);
        assert!(input.candidates.iter().any(|c| c.id == "figma"));
        assert_eq!(input.connected, ["outlook"]);
        assert!(input.app.connected.is_empty(), "connected is given once, on its own");
        let first = &input.candidates[0];
        assert!(first.actions.iter().all(|a| a.id.starts_with(&format!("{}.", first.id))));
        assert_eq!(input.router_pick, input.rules.selected);
    }
}
