//! The pages: Try an action for editors, recent use on My integrations, the Sandbox
//! outbox, and Browse saying which actions cannot run yet.

use super::fixture::{all_scopes, app_key, connect, fault, outbox, run};
use crate::helpers::{APP_USER, OWNER, TestApp, location, text};
use serde_json::json;

#[tokio::test]
async fn an_editor_tries_gmail_send_and_the_email_shows_in_the_sandbox_outbox() {
    let app = TestApp::spawn().await;
    let row = connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let owner = app.signed_in(OWNER).await;
    let integrations = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    let try_link = format!("/apps/1/integrations/{}/try", row.id);
    assert!(integrations.contains(&format!("href=\"{try_link}\">Try an action")), "a Try an action button");
    assert!(integrations.contains("Recent use: No calls in the last 7 days."));

    let form = text(owner.get(app.url(&format!("{try_link}?action=send_email"))).send().await.unwrap(), 200).await;
    assert!(form.contains("name=\"in.to\" value=\"ada@example.com\""), "the address suggests the connected account");
    assert!(form.contains("name=\"in.subject\"") && form.contains("name=\"in.body\""));
    let done = owner
        .post(app.url(&try_link))
        .form(&[
            ("action", "send_email"),
            ("in.to", "ada@example.com"),
            ("in.subject", "Open tasks"),
            ("in.body", "Two are open."),
        ])
        .send()
        .await
        .unwrap();
    let page = text(done, 200).await;
    assert!(page.contains("Done: Gmail answered 200"), "the result is shown");
    assert!(page.contains("See it in the Sandbox outbox"));
    let sent = &outbox(&app).await[0];
    assert_eq!(sent["summary"], "Gmail: email to ada@example.com, subject 'Open tasks'");

    let box_page = text(reqwest::get(app.url("/sandbox/outbox")).await.unwrap(), 200).await;
    assert!(box_page.contains("Gmail: email to ada@example.com, subject &#39;Open tasks&#39;"), "the readable line");
    assert!(box_page.contains("Two are open."), "the decoded body");

    let integrations = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(integrations.contains("Recent use: 1 call in the last 7 days, none failed."), "recent use counts it");
    assert!(integrations.contains("tried an action of Gmail"), "and the activity says who tried what");
}

#[tokio::test]
async fn recent_use_counts_failures_and_quotes_the_last_error() {
    let app = TestApp::spawn().await;
    connect(&app, "slack", &all_scopes(&app, "slack")).await;
    let key = app_key(&app).await;
    run(&app, &key, "slack.post_message", json!({"channel": "#sales", "text": "hi"})).await;
    fault(&app, "slack", "provider_error", 1).await;
    run(&app, &key, "slack.post_message", json!({"channel": "#sales", "text": "hi"})).await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(page.contains("2 calls in the last 7 days, 1 failed. Last error ("), "{page}");
    assert!(page.contains("): the request was refused (a sandbox fault)"));
}

#[tokio::test]
async fn a_missing_permission_on_the_try_page_offers_to_reconnect_for_it() {
    let app = TestApp::spawn().await;
    let row = connect(&app, "gmail", &["openid".into(), "email".into()]).await;
    let owner = app.signed_in(OWNER).await;
    let page = text(
        owner.get(app.url(&format!("/apps/1/integrations/{}/try?action=send_email", row.id))).send().await.unwrap(),
        200,
    )
    .await;
    assert!(page.contains("Gmail is connected without permission to: Send email on your behalf"));
    assert!(page.contains("name=\"action\" value=\"send_email\""));
    let started = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("purpose", "reconnect"), ("action", "send_email")])
        .send()
        .await
        .unwrap();
    let authorize = location(&started);
    assert!(authorize.contains("gmail.send"), "the reconnect asks for the missing scope: {authorize}");
}

#[tokio::test]
async fn app_users_cannot_try_actions() {
    let app = TestApp::spawn().await;
    let row = connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let user = app.signed_in(APP_USER).await;
    let page = user.get(app.url(&format!("/apps/1/integrations/{}/try", row.id))).send().await.unwrap();
    assert_eq!(page.status(), 403);
    let integrations = text(user.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(!integrations.contains("Try an action"));
}

#[tokio::test]
async fn browse_says_which_actions_cannot_run_yet() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/integrations/browse?q=discord")).send().await.unwrap(), 200).await;
    assert!(
        page.contains("Not runnable from patchbay yet: Post a message"),
        "{}",
        &page[page.len().saturating_sub(2000)..]
    );
}

#[tokio::test]
async fn the_outbox_page_plans_a_failure_from_its_form() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let planned = browser
        .post(app.url("/sandbox/faults"))
        .form(&[("connector", "gmail"), ("kind", "rate_limited"), ("count", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&planned), "/sandbox/outbox");
    let page = text(browser.get(app.url("/sandbox/outbox")).send().await.unwrap(), 200).await;
    assert!(page.contains("Gmail: rate_limited × 2"));
    let cleared = browser.post(app.url("/sandbox/outbox/clear")).send().await.unwrap();
    assert_eq!(cleared.status(), 303);
    assert!(!text(browser.get(app.url("/sandbox/outbox")).send().await.unwrap(), 200).await.contains("rate_limited ×"));
}
