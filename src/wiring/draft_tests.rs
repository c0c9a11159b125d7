//! The answers a builder sees for the kinds of request issue 15 found broken, in our own
//! words: each gives the right flow or a sensible question, never a flow that does
//! something else.

use super::*;
use crate::catalog::Catalog;
use crate::ranking::Router;
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock};

static ROUTER: LazyLock<Router> =
    LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));

fn studio() -> Value {
    json!({"entities": [
        {"name": "Job", "fields": ["title", {"name": "due_on", "type": "date"}, {"name": "finished", "type": "boolean"},
            {"name": "client_email", "type": "email"}]},
        {"name": "Client", "fields": ["name", {"name": "email", "type": "email"}]}
    ], "connected": ["gmail", "google_sheets"], "time_zone": "America/Toronto"})
}

fn answer(prompt: &str, app: Value) -> Value {
    let request = DraftRequest::from_json(&json!({"prompt": prompt, "app": app})).expect("a request");
    let route = ROUTER.route(&request.route).expect("a route");
    serde_json::to_value(draft_routed(ROUTER.catalog(), &request, &route, "me@example.com")).unwrap()
}

fn ops(flow: &Value) -> Vec<&str> {
    flow["steps"].as_array().unwrap().iter().filter_map(|s| s["operation"].as_str()).collect()
}

#[test]
fn a_mail_trigger_labels_the_message_and_says_what_it_cannot_check() {
    let a =
        answer("When a message from a client lands in Gmail, tag it VIP and log the sender in Google Sheets", studio());
    let flow = &a["flow"];
    assert_eq!(flow["trigger"]["operation"], "gmail.new_email");
    assert_eq!(ops(flow), ["gmail.add_label", "google_sheets.add_row"]);
    assert_eq!(flow["steps"][0]["inputs"]["label"], "VIP");
    let scopes = flow["steps"][0]["scopes"].as_array().unwrap();
    assert!(
        !scopes.is_empty() && scopes.iter().all(|s| s.as_str().unwrap().contains("gmail")),
        "labelling asks its own permission"
    );
    assert!(a["notes"][0].as_str().unwrap().contains("from a client"), "{a}");
}

#[test]
fn a_zone_named_in_the_request_beats_the_apps() {
    let a = answer("Each weekday at 6:30am Lisbon time, send me the jobs due this week", studio());
    assert_eq!(a["flow"]["trigger"], json!({"kind": "schedule", "cron": "30 6 * * 1-5", "time_zone": "Europe/Lisbon"}));
}

#[test]
fn without_any_zone_the_schedule_says_it_runs_in_utc() {
    let a = answer("Every morning email me the jobs", json!({"entities": ["Job"]}));
    assert_eq!(a["flow"]["trigger"]["time_zone"], "UTC");
    assert!(a["notes"].to_string().contains("UTC"), "{a}");
}

#[test]
fn each_finished_record_waits_for_the_change_not_for_new_records() {
    let a = answer("Send the client a thank-you email for every finished job", studio());
    let trigger = &a["flow"]["trigger"];
    assert_eq!((trigger["change"].as_str(), trigger["field"].as_str()), (Some("field_changed"), Some("finished")));
    assert_eq!(a["flow"]["steps"][0]["inputs"]["to"], "{{trigger.record.client_email}}");
}

#[test]
fn overdue_lists_only_what_is_late_and_asks_when_no_time_is_given() {
    let a = answer("Every Monday email me my overdue jobs", studio());
    let filter = &a["flow"]["steps"][0]["filter"];
    assert_eq!(
        filter,
        &json!([{"field": "due_on", "op": "lt", "value": "{{trigger.fired_at}}"}, {"field": "finished", "op": "eq", "value": false}])
    );
    let a = answer("email me my overdue jobs", studio());
    assert_eq!(a["asks"][0]["about"], "detail");
    assert_eq!(a["asks"][0]["options"][0], "Every morning at 08:00");
}

#[test]
fn a_request_in_another_language_keeps_its_schedule() {
    let a = answer("Envoie-moi tous les jours à 7h30 un e-mail avec les jobs en retard", studio());
    assert_eq!(a["flow"]["trigger"]["cron"], "30 7 * * *");
    assert_eq!(ops(&a["flow"]), ["gmail.send_email"]);
    let a = answer("Stuur mij elke dag de jobs", studio());
    assert!(a["asks"][0]["message"].as_str().unwrap().contains("English, French, German, Spanish and Portuguese"));
}

#[test]
fn a_vague_request_gets_a_question_with_choices() {
    let a = answer("mail me when anything happens", studio());
    assert_eq!(a["asks"][0]["message"], "What should start the email?");
    assert_eq!(
        a["asks"][0]["options"],
        json!([
            "A job is created",
            "A job is completed",
            "A client is created",
            "A client is updated",
            "Every morning"
        ])
    );
}

#[test]
fn an_empty_app_is_offered_the_data_its_request_needs() {
    let a = answer("When an invoice is paid, post it in #finance", json!({"connected": ["slack"]}));
    assert_eq!(a["asks"][0]["about"], "data");
    assert_eq!(a["asks"][0]["offer"]["entity"]["name"], "Invoice");
    assert!(a.get("flow").is_none());
}

#[test]
fn a_schedule_cron_cannot_keep_is_asked_about_even_next_to_an_event() {
    let a = answer("When a job is created, email the client two days before it is due", studio());
    assert_eq!(a["asks"][0]["about"], "schedule");
}

#[test]
fn every_schedule_a_draft_writes_is_one_the_runner_keeps() {
    for prompt in [
        "On the first Monday of each month at 10, email me the jobs",
        "Twice a day email me the jobs",
        "Every quarter email me the jobs",
        "At 9am Paris time every weekday email me the jobs",
        "every 20 minutes email me the jobs",
    ] {
        let a = answer(prompt, studio());
        let t = &a["flow"]["trigger"];
        let (cron, zone) = (t["cron"].as_str().unwrap(), t["time_zone"].as_str().unwrap());
        let schedule = crate::runner::schedule::Schedule::parse(cron, zone).unwrap_or_else(|e| panic!("{prompt}: {e}"));
        assert!(schedule.next_after(1_767_225_600).is_some(), "{prompt}: {cron} fires");
    }
}

#[test]
fn new_records_of_the_apps_own_kind_are_not_sent_to_a_connected_tool_of_that_kind() {
    let agency = json!({"entities": [
        {"name": "Lead", "fields": ["name", {"name": "email", "type": "email"}, {"name": "budget", "type": "number"}]}
    ], "connected": ["hubspot", "slack"], "time_zone": "Europe/Berlin"});
    let a = answer("Send every new lead with a budget over 5000 to #growth on Slack", agency);
    assert_eq!(ops(&a["flow"]), ["slack.post_message"], "the app keeps its own leads: {a}");
}
