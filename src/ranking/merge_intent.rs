//! The intent of an LLM-decided answer. The model says in words when the flow runs, what
//! it does, with which data and for whom; the rule parsers turn those words into the
//! same typed intent the router gives (a schedule with its cron, an event, app entities,
//! targets), and the checked selection fixes every connector and operation. Where the
//! model's words parse to nothing, the router's own reading stays.

use super::request::{Role, Selected};
use crate::app::AppStructure;
use crate::catalog::Catalog;
use crate::intent::event::{self, Change, Event};
use crate::intent::model::{IntentSketch, TriggerKind};
use crate::intent::{DataRef, Intent, IntentAction, Target, Text, Trigger, data, schedule, targets};

pub fn merge(
    catalog: &Catalog,
    app: &AppStructure,
    offline: &Intent,
    sketch: &IntentSketch,
    selected: &[Selected],
) -> Intent {
    Intent {
        trigger: trigger(app, offline, sketch, selected),
        actions: actions(catalog, offline, sketch, selected),
        data: data_refs(app, offline, &sketch.data),
        targets: target_list(offline, &sketch.targets),
    }
}

/// A schedule the rules parsed wins (its cron is exact); otherwise the model's kind
/// decides, and a trigger connector the checks kept is written into the event.
fn trigger(app: &AppStructure, offline: &Intent, sketch: &IntentSketch, selected: &[Selected]) -> Option<Trigger> {
    let from_tool = selected.iter().find(|s| s.role == Role::Trigger);
    let words = sketch.trigger.text.trim();
    let kind = if from_tool.is_some() { TriggerKind::Event } else { sketch.trigger.kind };
    let rules_schedule = matches!(offline.trigger, Some(Trigger::Schedule(_)));
    let found = match kind {
        _ if rules_schedule => return offline.trigger.clone(),
        TriggerKind::None => return None,
        TriggerKind::Schedule => {
            return schedule::find(&words.to_lowercase()).map(|f| Trigger::Schedule(f.schedule));
        }
        TriggerKind::Event => match &offline.trigger {
            Some(Trigger::Event { event, entity, .. }) => (event.clone(), entity.clone()),
            _ => {
                let event = event::find(words).unwrap_or_else(|| Event {
                    text: words.to_owned(),
                    subject: None,
                    change: Change::Created,
                    value: None,
                    field: None,
                    qualifier: None,
                    start: 0,
                    end: 0,
                });
                let entity = event.subject.as_deref().and_then(|s| data::resolve_entity(s, app));
                (event, entity)
            }
        },
    };
    let (event, entity) = found;
    let (connector, operation) = match from_tool {
        Some(s) => (Some(s.connector.clone()), s.actions.first().cloned()),
        None => (None, None),
    };
    Some(Trigger::Event { event, entity, connector, operation })
}

/// One action per chosen operation of every non-trigger connector, worded as the model
/// or the router worded it, else after the operation's id.
fn actions(catalog: &Catalog, offline: &Intent, sketch: &IntentSketch, selected: &[Selected]) -> Vec<IntentAction> {
    let mut out = Vec::new();
    for s in selected.iter().filter(|s| s.role != Role::Trigger) {
        let Some(c) = catalog.get(&s.connector) else { continue };
        for full in &s.actions {
            let local = full.split_once('.').map_or(full.as_str(), |(_, l)| l);
            let Some(op) = c.operations().find(|o| o.id == local) else { continue };
            let said = sketch.actions.iter().find(|a| a.operation.as_deref().is_some_and(|o| o == full || o == local));
            let ruled = offline.actions.iter().find(|a| a.operation.as_deref() == Some(full.as_str()));
            let (verb, object) = match (said, ruled) {
                (Some(a), _) if !a.verb.trim().is_empty() => (a.verb.trim().to_owned(), a.object.trim().to_owned()),
                (_, Some(a)) => (a.verb.clone(), a.object.clone()),
                _ => {
                    let (v, o) = local.split_once('_').unwrap_or((local, ""));
                    (v.to_owned(), o.replace('_', " "))
                }
            };
            out.push(IntentAction {
                verb,
                object,
                capability: Some(op.capability),
                connector: Some(c.id.to_string()),
                operation: Some(full.clone()),
                text: ruled.map_or_else(|| op.name.clone(), |a| a.text.clone()),
            });
        }
    }
    out
}

/// The router's data references, plus those the model names that resolve against the
/// app ("Order", "Order.total", a page name); unresolved words are not invented data.
fn data_refs(app: &AppStructure, offline: &Intent, said: &[String]) -> Vec<DataRef> {
    let mut refs = offline.data.clone();
    for words in said {
        let words = words.trim();
        let (head, field) = match words.split_once('.') {
            Some((e, f)) => (e.trim(), Some(f.trim())),
            None => (words, None),
        };
        if let Some(entity) = data::resolve_entity(head, app) {
            let field = field.and_then(|f| {
                let e = app.entities.iter().find(|e| e.name == entity)?;
                e.fields.iter().find(|x| x.name.eq_ignore_ascii_case(f)).map(|x| x.name.clone())
            });
            match refs.iter_mut().find(|r| r.entity.as_deref() == Some(entity.as_str())) {
                Some(existing) => {
                    if let Some(f) = field.filter(|f| !existing.fields.contains(f)) {
                        existing.fields.push(f);
                    }
                }
                None => refs.push(DataRef {
                    mention: words.to_owned(),
                    entity: Some(entity),
                    fields: field.into_iter().collect(),
                    page: None,
                }),
            }
        } else if let Some(page) = app.pages.iter().find(|p| p.eq_ignore_ascii_case(words))
            && !refs.iter().any(|r| r.page.as_deref() == Some(page.as_str()))
        {
            refs.push(DataRef {
                mention: words.to_owned(),
                entity: None,
                fields: Vec::new(),
                page: Some(page.clone()),
            });
        }
    }
    refs
}

/// The router's targets, plus what the target parser reads in the model's words.
fn target_list(offline: &Intent, said: &[String]) -> Vec<Target> {
    let mut out = offline.targets.clone();
    for words in said {
        for t in targets::find(&Text::new(words)) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::Analysis;
    use crate::intent::model::{ActionSketch, TriggerSketch};

    fn app() -> AppStructure {
        AppStructure::from_value(&serde_json::json!({
            "pages": ["Orders"],
            "entities": [{"name": "Order", "fields": ["total", "customer_email"]}]
        }))
        .unwrap()
    }

    #[test]
    fn the_models_words_become_typed_intent_and_the_checked_selection_fills_it() {
        let catalog = Catalog::embedded().unwrap();
        let app = app();
        let offline = Analysis::new("let the ops crew know when a big order lands", &app).intent(&app);
        let sketch = IntentSketch {
            trigger: TriggerSketch {
                kind: TriggerKind::Event,
                text: "when a big order lands".into(),
                ..Default::default()
            },
            actions: vec![ActionSketch {
                verb: "post".into(),
                object: "order alert".into(),
                connector: Some("slack".into()),
                operation: Some("slack.post_message".into()),
            }],
            data: vec!["Order.total".into(), "Invoice".into()],
            targets: vec!["#ops".into()],
        };
        let selected = [Selected {
            connector: "slack".into(),
            role: Role::Action,
            score: 0.85,
            actions: vec!["slack.post_message".into()],
        }];
        let intent = merge(&catalog, &app, &offline, &sketch, &selected);
        assert!(matches!(&intent.trigger, Some(Trigger::Event { entity: Some(e), .. }) if e == "Order"), "{intent:?}");
        assert_eq!(intent.actions.len(), 1);
        assert_eq!(intent.actions[0].verb, "post");
        assert_eq!(intent.actions[0].operation.as_deref(), Some("slack.post_message"));
        let order = intent.data.iter().find(|d| d.entity.as_deref() == Some("Order")).expect("Order");
        assert!(order.fields.contains(&"total".to_owned()));
        assert!(intent.data.iter().all(|d| d.entity.as_deref() != Some("Invoice")), "not in the app");
        assert!(intent.targets.contains(&Target::Channel { name: "#ops".into() }));
    }

    #[test]
    fn a_schedule_the_rules_parsed_stays_and_a_tool_trigger_is_written_into_the_event() {
        let catalog = Catalog::embedded().unwrap();
        let app = AppStructure::default();
        let offline = Analysis::new("send me the report daily at 9am", &app).intent(&app);
        let none = IntentSketch::default();
        let kept = merge(&catalog, &app, &offline, &none, &[]);
        assert!(matches!(kept.trigger, Some(Trigger::Schedule(_))));

        let offline = Analysis::new("add bookings to the newsletter", &app).intent(&app);
        let selected = [Selected {
            connector: "calendly".into(),
            role: Role::Trigger,
            score: 0.85,
            actions: vec!["calendly.new_booking".into()],
        }];
        let intent = merge(&catalog, &app, &offline, &none, &selected);
        match intent.trigger {
            Some(Trigger::Event { connector, operation, .. }) => {
                assert_eq!(connector.as_deref(), Some("calendly"));
                assert_eq!(operation.as_deref(), Some("calendly.new_booking"));
            }
            other => panic!("{other:?}"),
        }
    }
}
