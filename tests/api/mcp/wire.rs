//! The MCP endpoint on the wire: who gets in, and what a bad request gets back (a clear
//! status or JSON-RPC error, never a 500).

use super::agent;
use crate::actions::fixture::app_key;
use crate::helpers::{TODO_APP, TestApp};
use serde_json::{Value, json};

const ACCEPT: &str = "application/json, text/event-stream";

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "wire-test", "version": "1"}}})
}

async fn post(app: &TestApp, path: &str, key: Option<&str>, body: String) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .header("mcp-protocol-version", "2025-11-25")
        .body(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_mcp_server_needs_a_key_of_its_own_app() {
    let app = TestApp::spawn().await;
    let path = format!("/mcp/apps/{TODO_APP}");
    let ada = app.store.list_users().await.unwrap()[0].id;
    let other = app.store.create_app("Other", "{}", "UTC", ada).await.unwrap();
    let others_key = patchbay::identity::keys::create(&app.store, other.id, "k", None).await.unwrap().secret;
    let revoked = patchbay::identity::keys::create(&app.store, TODO_APP, "old", None).await.unwrap();
    app.store.revoke_app_key(TODO_APP, revoked.row.id, patchbay::store::now()).await.unwrap();
    let made_up = format!("pbk_{}", "0".repeat(64));
    for key in
        [None, Some("not-a-key"), Some(made_up.as_str()), Some(revoked.secret.as_str()), Some(others_key.as_str())]
    {
        let response = post(&app, &path, key, initialize().to_string()).await;
        assert_eq!(response.status(), 401, "{key:?}");
        assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"), "{key:?}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("app key"), "{body}");
    }
    assert!(agent(&app, &made_up).await.is_err(), "rmcp's client cannot start without a valid key");
    let key = app_key(&app).await;
    let response = post(&app, &path, Some(&key), initialize().to_string()).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["result"]["protocolVersion"], "2025-11-25", "{answer}");
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_never_a_server_error() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let path = format!("/mcp/apps/{TODO_APP}");

    let response = post(&app, "/mcp/apps/not-a-number", Some(&key), initialize().to_string()).await;
    assert_eq!(response.status(), 404);

    for (body, code) in [("{not json", -32700), ("", -32700), ("[]", -32600), ("{\"jsonrpc\": \"2.0\"}", -32600)] {
        let response = post(&app, &path, Some(&key), body.to_owned()).await;
        assert_eq!(response.status(), 400, "{body:?}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"]["code"], code, "{body:?} → {answer}");
        assert_eq!(answer["jsonrpc"], "2.0");
    }
    // rmcp's own refusal (no Accept for both JSON and SSE) comes back as JSON-RPC too.
    let response = reqwest::Client::new()
        .post(app.url(&path))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(initialize().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 406);
    let answer: Value = response.json().await.unwrap();
    assert!(answer["error"]["message"].as_str().unwrap().contains("accept"), "{answer}");
    let response =
        reqwest::Client::new().get(app.url(&path)).bearer_auth(&key).header("accept", ACCEPT).send().await.unwrap();
    assert_eq!(response.status(), 405, "no server-sent stream: the server keeps no session");

    let unknown =
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "teleport", "arguments": {}}});
    let response = post(&app, &path, Some(&key), unknown.to_string()).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("teleport"), "{answer}");

    let nonsense = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "execute", "arguments": {"action": "gmail.teleport", "inputs": 7}}});
    let answer: Value = post(&app, &path, Some(&key), nonsense.to_string()).await.json().await.unwrap();
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(answer["result"]["content"][0]["text"].as_str().unwrap().contains("no action 'teleport'"), "{answer}");

    let no_action =
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "execute", "arguments": {}}});
    let answer: Value = post(&app, &path, Some(&key), no_action.to_string()).await.json().await.unwrap();
    assert_eq!(answer["result"]["isError"], true, "{answer}");

    let bad_limit = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "search_tools", "arguments": {"task": "send a text", "limit": 500}}});
    let answer: Value = post(&app, &path, Some(&key), bad_limit.to_string()).await.json().await.unwrap();
    assert_eq!(answer["result"]["isError"], true, "{answer}");
}

#[tokio::test]
async fn the_rate_limit_and_the_body_limit_apply_to_the_mcp_server() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.per_key_per_sec = 1;
        s.rate_limit.per_key_burst = 2;
        s.http.max_body_bytes = 16 * 1024;
    })
    .await;
    let key = app_key(&app).await;
    let path = format!("/mcp/apps/{TODO_APP}");
    let search = |task: String| {
        json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
            "params": {"name": "search_tools", "arguments": {"task": task}}})
        .to_string()
    };
    let too_big = post(&app, &path, Some(&key), search("x".repeat(32 * 1024))).await;
    assert_eq!(too_big.status(), 413);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(post(&app, &path, Some(&key), search("send a text message".into())).await);
    }
    let limited = statuses.into_iter().find(|r| r.status() == 429).expect("the key's burst runs out");
    assert!(limited.headers().contains_key("retry-after"));
    let body: Value = limited.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("Too many requests"), "{body}");
}
