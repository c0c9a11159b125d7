//! The newcomer's whole path for a flow, in headless Chromium: ask for a daily email of
//! the to-do list, connect Gmail in the sandbox, activate the flow, see its next 08:00
//! run in the app's time zone, press Run now, and find the email with the demo's open
//! tasks in the Sandbox outbox.

use crate::browser::{Driver, connect_gmail, sign_in};
use crate::helpers::TestApp;
use fantoccini::Locator;
use std::time::Duration;

#[tokio::test]
async fn a_newcomers_daily_email_flow_runs_now_and_lands_in_the_sandbox_outbox() {
    let app = TestApp::spawn_with(|s| s.runner.tick_ms = 200).await;
    let Some(d) = Driver::start().await else { return };
    activate_the_daily_email(&d, &app).await;
    let flow = d.text_of("section.flow").await;
    assert!(flow.contains("Active") && flow.contains("Next run:") && flow.contains("08:00 UTC"), "{flow}");
    d.press("Run now (test)").await;

    // Run now opens the run's page; the runner (ticking every 200 ms here) takes the run.
    d.wait_for(Locator::Css(".run-steps")).await;
    let url = d.client.current_url().await.unwrap();
    let run_id: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();
    finished(&app, run_id).await;
    d.client.goto(url.as_str()).await.unwrap();
    let page = d.text_of("main").await;
    assert!(page.contains("Succeeded") && page.contains("a test run started by hand"), "{page}");
    assert!(page.contains("records found") && page.contains("Pay the electricity bill"), "plain words: {page}");
    d.screenshot("run-detail.png").await;

    d.client.goto(&app.url("/sandbox/outbox")).await.unwrap();
    let sent = d.text_of(".outbox-call").await;
    assert!(sent.contains("Gmail: email to ada@example.com"), "{sent}");
    assert!(sent.contains("Pay the electricity bill") && sent.contains("Book train tickets"), "the open tasks: {sent}");
    assert!(!sent.contains("Renew the domain name"), "not the finished one: {sent}");
}

/// As a newcomer: ask for the daily email in the chat, connect Gmail in the sandbox, and
/// activate the flow on the Flows page.
async fn activate_the_daily_email(d: &Driver, app: &TestApp) {
    sign_in(d, app, "Ada Owner").await;
    connect_gmail(d, app).await;
    d.client.goto(&app.url("/apps/1/flows")).await.unwrap();
    d.press("Activate").await;
    d.wait_for(Locator::XPath("//button[normalize-space()='Pause']")).await;
}

/// Waits for the run to finish; its final status.
async fn finished(app: &TestApp, run_id: i64) -> String {
    for _ in 0..75 {
        let status = app.store.run(run_id).await.unwrap().unwrap().status;
        if status == "succeeded" || status == "failed" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("run {run_id} did not finish");
}

#[tokio::test]
async fn a_flow_paused_by_a_refused_connection_comes_back_active_after_reconnecting() {
    let app = TestApp::spawn_with(|s| s.runner.tick_ms = 200).await;
    let Some(d) = Driver::start().await else { return };
    activate_the_daily_email(&d, &app).await;

    // Gmail now refuses the token, and again after patchbay renews it.
    super::fixture::fault(&app, "gmail", "unauthorized", 2).await;
    d.press("Run now (test)").await;
    d.wait_for(Locator::Css(".run-steps")).await;
    let url = d.client.current_url().await.unwrap();
    let run_id: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(finished(&app, run_id).await, "failed");

    d.client.goto(&app.url("/apps/1/flows")).await.unwrap();
    let flow = d.text_of("section.flow").await;
    assert!(flow.contains("Paused") && flow.contains("reconnect"), "the flow says why it stopped: {flow}");
    assert!(!flow.contains("Next run:"), "a paused flow has no next run: {flow}");
    assert!(flow.contains("body: the list headed “Open tasks”") && !flow.contains("{{"), "{flow}");
    d.screenshot("flow-paused.png").await;
    d.press("Reconnect Gmail").await;
    d.wait_for(Locator::XPath("//button[normalize-space()='Allow']")).await;
    d.press("Allow").await;
    d.wait_for(Locator::Css("article.connection")).await;

    d.client.goto(&app.url("/apps/1/flows")).await.unwrap();
    let flow = d.text_of("section.flow").await;
    assert!(flow.contains("Active") && flow.contains("Next run:"), "on again as it was, not a draft: {flow}");
}
