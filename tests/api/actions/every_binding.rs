//! Every bound action of the catalog runs against the sandbox, which checks the token it
//! issued, the action's scopes and the documented path, and answers in the provider's
//! shape: once with every input, once with the required ones only.

use super::fixture::{all_scopes, app_key, connect, outbox, run};
use crate::helpers::TestApp;
use patchbay::catalog::{Input, InputKind, Operation};
use serde_json::{Map, Value, json};

/// A valid value for each input type; a few inputs name things the sandbox must know.
fn sample(connector: &str, action: &Operation, input: &Input) -> Value {
    match (connector, action.id.as_str(), input.name.as_str()) {
        ("gmail", "add_label", "label") => return json!("Invoices"),
        ("jira", "update_issue", "status") => return json!("Done"),
        ("google_forms", _, "question_type") => return json!("choice"),
        (_, _, "repository") => return json!("octo/hello-world"),
        (_, _, "privacy") => return json!("SELF_ONLY"),
        ("freshdesk", _, "priority") => return json!(2),
        (_, _, "priority") => return json!("high"),
        _ => {}
    }
    match input.kind {
        InputKind::String | InputKind::Channel => json!("sample-1"),
        InputKind::User => json!("12345"),
        InputKind::Text => json!("Hello from patchbay"),
        InputKind::Email => json!("ada@example.com"),
        InputKind::Number => json!(3),
        InputKind::Boolean => json!(true),
        InputKind::Date => json!("2026-05-01"),
        InputKind::Datetime => json!("2026-05-01T09:00:00Z"),
        InputKind::Url => json!("https://example.com/video.mp4"),
        InputKind::List => json!(["first", "second"]),
        InputKind::Json => json!({"Name": "sample"}),
        InputKind::File => json!({"name": "notes.txt", "content": "hello", "mime_type": "text/plain"}),
    }
}

#[tokio::test]
async fn every_bound_action_runs_against_the_sandbox_with_all_inputs_and_with_the_required_ones() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let catalog = app.state.catalog.clone();
    let mut failures = Vec::new();
    let mut ran = 0;
    for connector in catalog.iter().filter(|c| c.bound_actions().next().is_some()) {
        let id = connector.id.as_str();
        connect(&app, id, &all_scopes(&app, id)).await;
        for action in connector.bound_actions() {
            for required_only in [false, true] {
                let inputs: Map<String, Value> = action
                    .inputs
                    .iter()
                    .filter(|i| i.required || !required_only)
                    .map(|i| (i.name.clone(), sample(id, action, i)))
                    .collect();
                let target = format!("{id}.{}", action.id);
                let (status, answer) = run(&app, &key, &target, Value::Object(inputs)).await;
                ran += 1;
                if status != 200 || answer["ok"] != true {
                    failures.push(format!("{target} (required only: {required_only}): {status} {answer}"));
                    continue;
                }
                // Several operations may share a documented request (Drive's list and
                // search); the outbox names the operation the request fits best.
                let last = &outbox(&app).await[0];
                if last["connector"] != id || last["status"].as_u64().is_none_or(|s| s >= 300) {
                    failures.push(format!("{target}: the outbox's last call is {last}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {ran} runs failed:\n{}", failures.len(), failures.join("\n"));
    assert!(ran >= 200, "only {ran} runs");
}
