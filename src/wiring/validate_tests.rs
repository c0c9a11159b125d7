use super::*;
use crate::app::demo::todo_structure;
use crate::wiring::definition::tests::daily_tasks;
use serde_json::json;
use std::sync::LazyLock;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::embedded().expect("catalog"));
const SEND: &str = "https://www.googleapis.com/auth/gmail.send";

fn check(def: &FlowDefinition) -> Report {
    validate(def, &CATALOG, Some(&todo_structure()), None)
}

fn problems(def: &FlowDefinition) -> Vec<String> {
    check(def).problems.iter().map(ToString::to_string).collect()
}

fn edit(f: impl FnOnce(&mut Value)) -> FlowDefinition {
    let mut v: Value = serde_json::from_str(&daily_tasks().to_json()).unwrap();
    f(&mut v);
    FlowDefinition::from_json(&v.to_string()).expect("still a definition")
}

#[test]
fn the_daily_to_do_email_is_valid() {
    let report = check(&daily_tasks());
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(report.needs["gmail"].iter().collect::<Vec<_>>(), [SEND]);
    assert_eq!(report.status(), FlowStatus::Draft);
    assert!(!report.can_activate(), "connections were not checked");
}

#[test]
fn a_missing_field_is_reported_in_words() {
    let def = edit(|v| v["steps"][0]["filter"][0]["field"] = json!("priority"));
    assert_eq!(problems(&def), ["Task has no field 'priority' — add it or choose another"]);
    let def = edit(|v| v["steps"][1]["fields"] = json!(["title", "owner"]));
    assert_eq!(problems(&def), ["Task has no field 'owner' — add it or choose another"]);
}

#[test]
fn a_missing_entity_names_the_ones_the_app_has() {
    let def = edit(|v| v["steps"][0]["entity"] = json!("Invoice"));
    assert_eq!(problems(&def), ["this app has no entity 'Invoice' — it has Task; add it or choose another"]);
    // Without an app structure, entities are not checked.
    assert!(validate(&def, &CATALOG, None, None).is_valid());
}

#[test]
fn operations_must_exist_and_be_used_as_what_they_are() {
    let def = edit(|v| v["steps"][2]["operation"] = json!("gmail.send_mail"));
    assert_eq!(
        problems(&def),
        ["step 'send_email' uses 'gmail.send_mail', which the catalog does not have — choose another"]
    );
    let def = edit(|v| v["steps"][2]["operation"] = json!("gmail.new_email"));
    assert!(problems(&def)[0].contains("which is a trigger — a step needs an action"));
    let def = edit(|v| v["steps"][2]["connection"]["connector"] = json!("outlook"));
    assert!(problems(&def)[0].contains("through a outlook connection"));
}

#[test]
fn every_required_input_is_mapped_and_no_unknown_one_is() {
    let def = edit(|v| {
        v["steps"][2]["inputs"].as_object_mut().unwrap().remove("subject");
        v["steps"][2]["inputs"]["bcc"] = json!("x@example.com");
    });
    assert_eq!(
        problems(&def),
        [
            "step 'send_email': 'gmail.send_email' has no input 'bcc' — remove it or choose another",
            "step 'send_email': 'gmail.send_email' needs 'subject' — map it from the trigger, an earlier step or a setting",
        ]
    );
    let def = edit(|v| v["steps"][2]["inputs"]["subject"] = json!("  "));
    assert!(problems(&def)[0].contains("needs 'subject'"));
}

#[test]
fn declared_scopes_must_cover_the_catalog() {
    let def = edit(|v| v["steps"][2]["scopes"] = json!([]));
    assert_eq!(problems(&def), [format!("step 'send_email': 'gmail.send_email' needs {SEND} — list it under scopes")]);
}

#[test]
fn references_must_name_earlier_steps_their_outputs_and_declared_settings() {
    let def = edit(|v| v["steps"][2]["inputs"]["body"] = json!("{{steps.later.text}}"));
    assert!(problems(&def)[0].ends_with("'{{steps.later.text}}' refers to no earlier step"));
    let def = edit(|v| v["steps"][2]["inputs"]["body"] = json!("{{steps.task_list.items}}"));
    assert!(problems(&def)[0].contains("is not an output of step 'task_list' (it has text, html)"));
    let def = edit(|v| v["steps"][2]["inputs"]["to"] = json!("{{settings.who}}"));
    assert!(problems(&def)[0].contains("the setting 'who', which the flow does not declare"));
    let def = edit(|v| v["steps"][2]["inputs"]["to"] = json!("{{trigger.record.email}}"));
    assert!(problems(&def)[0].contains("this trigger starts runs without one"));
    let def = edit(|v| v["steps"][2]["inputs"]["to"] = json!("{{user.email}}"));
    assert!(problems(&def)[0].contains("'{{user.email}}' refers to nothing a flow has"));
}

#[test]
fn entity_events_check_their_fields_and_record_references() {
    let def = edit(|v| {
        v["trigger"] = json!({"kind": "entity_event", "entity": "Task", "change": "field_changed",
                              "field": "priority", "to": "high"});
        v["steps"][2]["inputs"]["to"] = json!("{{trigger.record.assignee}}");
        v["steps"][2]["inputs"]["subject"] = json!("{{trigger.record.title}} was {{trigger.previous.due}}");
    });
    assert_eq!(
        problems(&def),
        [
            "Task has no field 'priority' — add it or choose another",
            "Task has no field 'due' — add it or choose another"
        ]
    );
    let def = edit(|v| v["trigger"] = json!({"kind": "entity_event", "entity": "Task", "change": "field_changed"}));
    assert!(problems(&def)[0].contains("names no field"));
}

#[test]
fn connector_triggers_offer_their_outputs() {
    let def = edit(|v| {
        v["trigger"] = json!({"kind": "connector", "operation": "gmail.new_email",
            "connection": {"connector": "gmail"}, "config": {"label": "Invoices"},
            "scopes": ["https://www.googleapis.com/auth/gmail.readonly"]});
        v["steps"][2]["inputs"]["subject"] = json!("Re: {{trigger.record.subject}}");
    });
    assert!(check(&def).is_valid(), "{:?}", problems(&def));
    assert_eq!(check(&def).needs["gmail"].len(), 2);
    let def = edit(|v| {
        v["trigger"] = json!({"kind": "connector", "operation": "gmail.new_email",
            "connection": {"connector": "gmail"}, "scopes": ["https://www.googleapis.com/auth/gmail.readonly"]});
        v["steps"][2]["inputs"]["subject"] = json!("{{trigger.record.title}}");
    });
    assert!(problems(&def)[0].contains("is not an output of 'gmail.new_email'"), "{:?}", problems(&def));
}

#[test]
fn schedules_need_a_cron_and_an_iana_time_zone() {
    let def = edit(|v| v["trigger"] = json!({"kind": "schedule", "cron": "0 8 * *", "time_zone": "Paris"}));
    let p = problems(&def);
    assert!(p[0].starts_with("the schedule '0 8 * *' is not a cron expression"), "{p:?}");
    assert!(p[1].starts_with("'Paris' is not an IANA time zone"), "{p:?}");
}

#[test]
fn missing_scopes_block_the_flow_and_say_which() {
    let mut grants = Grants::new();
    grants.connect("gmail", ["openid", "email", "https://www.googleapis.com/auth/gmail.readonly"]);
    let report = validate(&daily_tasks(), &CATALOG, Some(&todo_structure()), Some(&grants));
    assert!(report.is_valid() && report.is_blocked());
    assert_eq!(report.status(), FlowStatus::Blocked);
    assert_eq!(report.status_reason().unwrap(), format!("blocked: needs additional permissions (gmail needs {SEND})"));
    grants.connect("gmail", [SEND]);
    let report = validate(&daily_tasks(), &CATALOG, Some(&todo_structure()), Some(&grants));
    assert!(report.can_activate() && report.status_reason().is_none());
}

#[test]
fn a_connector_the_owner_blocked_blocks_the_flow_with_the_owners_sentence_whatever_it_holds() {
    let mut grants = Grants::new();
    grants.connect("gmail", ["openid", "email", SEND]);
    grants.refuse("gmail", "The app's owner has blocked Gmail for shared connections.");
    let report = validate(&daily_tasks(), &CATALOG, Some(&todo_structure()), Some(&grants));
    assert!(report.is_valid() && report.is_blocked() && !report.can_activate());
    assert!(report.missing.is_empty(), "connecting it again would not help: {:?}", report.missing);
    assert_eq!(report.status_reason().unwrap(), "The app's owner has blocked Gmail for shared connections.");
    let mut other = Grants::new();
    other.connect("gmail", ["openid", "email", SEND]).refuse("slack", "The app's owner has blocked Slack.");
    let report = validate(&daily_tasks(), &CATALOG, Some(&todo_structure()), Some(&other));
    assert!(report.can_activate(), "a tool the flow does not use does not matter");
}

#[test]
fn unset_settings_wait_for_the_builder() {
    let def = edit(|v| {
        v["settings"] = json!([{"name": "to", "label": "Who gets the email?", "type": "email"}]);
        v["steps"][2]["inputs"]["to"] = json!("{{settings.to}}");
    });
    let mut grants = Grants::new();
    grants.connect("gmail", [SEND]);
    let report = validate(&def, &CATALOG, Some(&todo_structure()), Some(&grants));
    assert!(report.is_valid() && !report.can_activate());
    assert_eq!(report.status_reason().unwrap(), "choose before activating: Who gets the email?");
}

#[test]
fn statuses_round_trip_through_their_stored_names() {
    for s in [FlowStatus::Draft, FlowStatus::Active, FlowStatus::Blocked] {
        assert_eq!(FlowStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(FlowStatus::parse("paused"), None);
}
