//! The App API's action route and connection routes, end to end against the sandbox.

use super::fixture::{ACCOUNT, all_scopes, app_key, connect, fault, get_json, outbox, run, stored_token};
use crate::helpers::{OWNER, TODO_APP, TestApp};
use serde_json::{Value, json};

const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";

#[tokio::test]
async fn a_gmail_send_runs_through_the_sandbox_and_shows_in_the_outbox() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let inputs = json!({"to": "ada@example.com", "subject": "Open tasks", "body": "Two tasks are still open."});
    let (status, answer) = run(&app, &key, "gmail.send_email", inputs).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["provider_status"], 200);
    assert!(answer["output"]["id"].as_str().is_some_and(|id| !id.is_empty()), "{answer}");
    let sent = &outbox(&app).await[0];
    assert_eq!(sent["summary"], "Gmail: email to ada@example.com, subject 'Open tasks'", "{sent}");
    assert_eq!(sent["body"]["raw"]["body"], "Two tasks are still open.");
    assert_eq!(sent["operation"], "send_email");
}

#[tokio::test]
async fn a_wrong_input_is_named_before_anything_is_sent() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    for (inputs, field) in [
        (json!({"to": "not an address", "subject": "s", "body": "b"}), "inputs.to"),
        (json!({"to": "ada@example.com", "body": "b"}), "inputs.subject"),
        (json!({"to": "ada@example.com", "subject": "s", "body": "b", "priority": 1}), "inputs.priority"),
    ] {
        let (status, answer) = run(&app, &key, "gmail.send_email", inputs).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"].as_str().unwrap().starts_with(field), "{answer}");
    }
    assert!(outbox(&app).await.is_empty(), "nothing reached the provider");
    let (status, answer) = run(&app, &key, "gmail.teleport", json!({})).await;
    assert_eq!(status, 404, "{answer}");
    let (status, answer) = run(&app, &key, "discord.post_message", json!({"text": "hi"})).await;
    assert_eq!(status, 400, "an action without a binding says so: {answer}");
    assert!(answer["error"].as_str().unwrap().contains("webhook"), "{answer}");
}

#[tokio::test]
async fn a_missing_permission_is_a_403_that_names_it_and_links_to_where_it_is_granted() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &["openid".into(), "email".into()]).await;
    let key = app_key(&app).await;
    let inputs = json!({"to": "ada@example.com", "subject": "s", "body": "b"});
    let (status, answer) = run(&app, &key, "gmail.send_email", inputs).await;
    assert_eq!(status, 403, "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(error.contains("Gmail is connected without permission to send email on your behalf"), "{error}");
    assert_eq!(answer["missing_permissions"], json!(["Send email on your behalf"]));
    let link = answer["reconnect_url"].as_str().unwrap();
    assert!(link.starts_with(&app.url("/apps/1/integrations/")) && link.ends_with("/try?action=send_email"), "{link}");
    assert!(error.contains(link));
}

#[tokio::test]
async fn a_provider_refusal_is_ok_false_with_the_providers_own_message() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    fault(&app, "gmail", "provider_error", 1).await;
    let inputs = json!({"to": "ada@example.com", "subject": "s", "body": "b"});
    let (status, answer) = run(&app, &key, "gmail.send_email", inputs.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"ok": false, "output": {}, "provider_status": 400, "error": "the request was refused (a sandbox fault)"})
    );
    fault(&app, "gmail", "rate_limited", 1).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/apps/1/actions/gmail.send_email"))
        .bearer_auth(&key)
        .json(&json!({ "inputs": inputs }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["retry-after"], "7");
    let answer: Value = response.json().await.unwrap();
    assert_eq!((answer["ok"].as_bool(), answer["provider_status"].as_u64()), (Some(false), Some(429)));
    assert_eq!(answer["retry_after"], 7);
}

#[tokio::test]
async fn an_action_after_a_revoked_access_token_renews_it_once_and_succeeds() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let before = stored_token(&app, "gmail").await;
    fault(&app, "gmail", "unauthorized", 1).await;
    let (_, answer) = run(&app, &key, "gmail.create_label", json!({"name": "Clients/Acme"})).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["output"]["name"], "Clients/Acme");
    assert_ne!(stored_token(&app, "gmail").await, before);
}

#[tokio::test]
async fn the_connections_list_says_status_account_scopes_and_expiry_without_tokens() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &["openid".into(), "email".into(), GMAIL_SEND.into()]).await;
    let key = app_key(&app).await;
    let http = reqwest::Client::new();
    let list: Value = get_json(&app.url("/api/v1/apps/1/connections"), &key).await;
    let gmail = &list["connections"][0];
    assert_eq!(gmail["connector"], "gmail");
    assert_eq!(gmail["kind"], "shared");
    assert_eq!(gmail["status"], "connected");
    assert_eq!(gmail["account"], ACCOUNT);
    assert_eq!(gmail["scopes"], json!(["openid", "email", GMAIL_SEND]));
    assert!(chrono::DateTime::parse_from_rfc3339(gmail["expires_at"].as_str().unwrap()).is_ok());
    assert_eq!(gmail.as_object().unwrap().len(), 6, "exactly the Connection shape: {gmail}");
    let one = get_json(&app.url("/api/v1/apps/1/connections/gmail"), &key).await;
    assert_eq!(&one, gmail);
    let missing = http.get(app.url("/api/v1/apps/1/connections/slack")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_token_is_handed_to_an_app_key_with_its_config_and_the_hand_out_is_audited() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/apps/1/connections/gmail?include=token"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let answer: Value = response.json().await.unwrap();
    let token = answer["access_token"].as_str().unwrap();
    assert_eq!(token, stored_token(&app, "gmail").await);
    assert_eq!(answer["config"]["api_base_url"], app.url("/sandbox/api/gmail"));
    let audit = app.store.audit_of_app(TODO_APP, 20).await.unwrap();
    let handed = audit.iter().find(|a| a.action == "token.handout").expect("the hand-out is audited");
    assert_eq!(handed.detail.as_deref(), Some("Gmail access token"));
    assert!(audit.iter().all(|a| !a.detail.clone().unwrap_or_default().contains(token)), "never the token itself");

    // Slack's config says which kind of token it is.
    connect(&app, "slack_bot", &all_scopes(&app, "slack_bot")).await;
    let slack: Value = get_json(&app.url("/api/v1/apps/1/connections/slack_bot?include=token"), &key).await;
    assert_eq!(slack["config"]["token_kind"], "bot");
}

#[tokio::test]
async fn a_signed_in_editor_reads_connections_but_never_gets_a_token() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let owner = app.signed_in(OWNER).await;
    let list = owner.get(app.url("/api/v1/apps/1/connections")).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let token = owner.get(app.url("/api/v1/apps/1/connections/gmail?include=token")).send().await.unwrap();
    assert_eq!(token.status(), 403);
    assert!(!token.text().await.unwrap().contains(&stored_token(&app, "gmail").await));
    let run = owner
        .post(app.url("/api/v1/apps/1/actions/gmail.send_email"))
        .json(&json!({"inputs": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(run.status(), 401, "running actions needs an app key");
}

#[tokio::test]
async fn a_token_within_the_refresh_margin_is_renewed_before_it_is_handed_out() {
    let app = TestApp::spawn().await;
    let row = connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let before = stored_token(&app, "gmail").await;
    // Issued an hour ago, expiring in a minute: inside the five-minute margin.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&patchbay::store::Store::sqlite_url(app.dir.path())).await.unwrap();
    let now = patchbay::store::now();
    sqlx::query("UPDATE connections SET issued_at = $1, expires_at = $2 WHERE id = $3")
        .bind(now - 3600)
        .bind(now + 60)
        .bind(row.id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let answer: Value = get_json(&app.url("/api/v1/apps/1/connections/gmail?include=token"), &key).await;
    assert_ne!(answer["access_token"].as_str().unwrap(), before, "a fresh token");
    let expires = chrono::DateTime::parse_from_rfc3339(answer["expires_at"].as_str().unwrap()).unwrap();
    assert!(expires.timestamp() > patchbay::store::now() + 3000, "with its new expiry");
}
