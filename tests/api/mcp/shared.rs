//! The MCP server keeps nothing in a server's memory between requests: two patchbay
//! servers on one PostgreSQL answer one agent alike, whichever of them a request reaches,
//! its session included (a database row).

use crate::actions::fixture::{all_scopes, app_key, connect, outbox};
use crate::helpers::{TODO_APP, TestApp};
use serde_json::{Value, json};

/// The answer, and the session id it starts (an `initialize`'s answer carries one).
async fn rpc(app: &TestApp, key: &str, session: Option<&str>, body: Value) -> (Value, Option<String>) {
    let response = super::raw_post(app, &format!("/mcp/apps/{TODO_APP}"), key, session, &body).await;
    assert_eq!(response.status(), 200);
    let started = response.headers().get("mcp-session-id").map(|v| v.to_str().unwrap().to_owned());
    (response.json().await.unwrap(), started)
}

#[tokio::test]
async fn two_servers_on_one_postgres_answer_one_agent_alike() {
    let Some(url) = crate::pg::fresh_postgres_url().await else { return };
    let key = secrecy::SecretString::from("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    let configure = |s: &mut patchbay::config::Settings| {
        s.database_url = Some(secrecy::SecretString::from(url.clone()));
        s.token_key = Some(key.clone());
    };
    let first = TestApp::spawn_with(configure).await;
    let second = TestApp::spawn_with(configure).await;
    connect(&first, "gmail", &all_scopes(&first, "gmail")).await;
    let app_key = app_key(&first).await;

    let hello = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "two", "version": "1"}}});
    let (hello, session) = rpc(&first, &app_key, None, hello).await;
    assert_eq!(hello["result"]["protocolVersion"], "2025-11-25");
    let session = session.expect("the first server starts a session");
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let (list, _) = rpc(&second, &app_key, Some(&session), list).await;
    let names: Vec<&str> =
        list["result"]["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(names.contains(&"gmail__send_email"), "{names:?}");
    let inputs = json!({"to": "ada@example.com", "subject": "From the second server", "body": "Same agent."});
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "execute", "arguments": {"action": "gmail.send_email", "inputs": inputs}}});
    let (sent, _) = rpc(&second, &app_key, Some(&session), call).await;
    assert_eq!(sent["result"]["structuredContent"]["ok"], true, "{sent}");
    assert_eq!(outbox(&first).await.len(), 1, "the first server sees what the second sent");
}
