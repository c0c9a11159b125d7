//! The App API's action route, end to end against the sandbox.

use super::fixture::{all_scopes, app_key, connect, outbox, run};
use crate::helpers::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_gmail_send_runs_through_the_sandbox_and_shows_in_the_outbox() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let (status, answer) = run(
        &app,
        &key,
        "gmail.send_email",
        json!({"to": "ada@example.com", "subject": "Open tasks", "body": "Two tasks are still open."}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["provider_status"], 200);
    assert!(answer["output"]["id"].as_str().is_some_and(|id| !id.is_empty()), "{answer}");
    let calls = outbox(&app).await;
    let sent = &calls[0];
    assert_eq!(sent["summary"], "Gmail: email to ada@example.com, subject 'Open tasks'", "{sent}");
    assert_eq!(sent["body"]["raw"]["body"], "Two tasks are still open.");
    assert_eq!(sent["operation"], "send_email");
}
