//! Flows call actions through the same runner as the App API: a flow's Gmail step sends
//! through the sandbox, and a missing permission stops the run asking for a reconnect.

use super::fixture::{all_scopes, connect, outbox};
use crate::helpers::{TODO_APP, TestApp};
use patchbay::store::now;
use patchbay::wiring::{self, FlowDefinition};
use serde_json::json;

async fn due_flow(app: &TestApp) -> i64 {
    let def = FlowDefinition::from_json(
        &json!({
            "name": "Hello from a flow",
            "trigger": {"kind": "schedule", "cron": "0 8 * * *", "time_zone": "UTC"},
            "steps": [{"kind": "action", "id": "send", "operation": "gmail.send_email",
                       "connection": {"connector": "gmail", "kind": "shared"},
                       "inputs": {"to": "ada@example.com", "subject": "From a flow", "body": "Sent by the runner."},
                       "scopes": ["https://www.googleapis.com/auth/gmail.send"]}]
        })
        .to_string(),
    )
    .unwrap();
    let (flow, _) = wiring::save(&app.store, &app.state.catalog, TODO_APP, &def, None).await.unwrap();
    let id = flow.row.id;
    app.store.set_flow_status(id, "active", None).await.unwrap();
    patchbay::runner::scheduler::sync_flow(&app.store, id).await.unwrap();
    let schedule = app.store.schedule(id).await.unwrap().unwrap();
    app.store.put_schedule(id, &schedule.cron, &schedule.time_zone, now() - 5).await.unwrap();
    id
}

async fn run_once(app: &TestApp, flow: i64) -> patchbay::store::RunRow {
    assert_eq!(app.state.runner.fire_due().await.unwrap(), 1);
    patchbay::runner::worker::work_queue(&app.state.runner).await.unwrap();
    app.store.runs_of_flow(flow, 1).await.unwrap().remove(0)
}

#[tokio::test]
async fn a_flows_gmail_step_sends_through_the_sandbox() {
    let app = TestApp::spawn_with(|s| s.runner.enabled = false).await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = due_flow(&app).await;
    let run = run_once(&app, flow).await;
    assert_eq!(run.status, "succeeded", "{:?}", run.error);
    assert_eq!(outbox(&app).await[0]["summary"], "Gmail: email to ada@example.com, subject 'From a flow'");
}

#[tokio::test]
async fn a_flow_step_without_its_permission_fails_and_says_to_reconnect() {
    let app = TestApp::spawn_with(|s| s.runner.enabled = false).await;
    connect(&app, "gmail", &["openid".into(), "email".into()]).await;
    let flow = due_flow(&app).await;
    let run = run_once(&app, flow).await;
    assert_eq!(run.status, "failed");
    let error = run.error.unwrap_or_default();
    assert!(error.contains("without permission to send email on your behalf"), "{error}");
    assert!(outbox(&app).await.is_empty(), "nothing reached the provider");
}
