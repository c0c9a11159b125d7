//! A connection made through the sandbox as a provider's client would make it (consent,
//! code, token), stored as patchbay stores one; and an app key to call the App API with.

use crate::helpers::{TODO_APP, TestApp};
use crate::sandbox::drive::{Pkce, decide, hidden_fields, pkce, redirect};
use patchbay::connections::TokenSet;
use patchbay::store::{ConnectionRow, NewConnection};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const ACCOUNT: &str = "ada@example.com";

/// A key for the Todo app, as the Settings page makes one.
pub async fn app_key(app: &TestApp) -> String {
    patchbay::identity::keys::create(&app.store, TODO_APP, "backend", None).await.unwrap().secret
}

/// Every scope the connector declares: enough for each of its actions.
pub fn all_scopes(app: &TestApp, connector: &str) -> Vec<String> {
    app.state.catalog.get(connector).unwrap().permissions.iter().map(|p| p.scope.clone()).collect()
}

/// Tokens for `connector` from the sandbox with these scopes, stored as the app's shared
/// connection.
pub async fn connect(app: &TestApp, connector: &str, scopes: &[String]) -> ConnectionRow {
    if app.state.catalog.get(connector).is_some_and(|c| c.auth.kind == patchbay::catalog::AuthKind::Oauth1) {
        let tokens = crate::oauth1::sandbox_tokens(app, connector, scopes).await;
        return store(app, connector, &tokens, scopes, None).await;
    }
    if app.state.catalog.get(connector).is_some_and(|c| c.auth.kind.typed()) {
        // Keys are typed, not granted: the card's form with the sandbox's test values.
        return crate::credentials::connect_with_test_values(app, connector).await;
    }
    let http = TestApp::client();
    let pkce = pkce();
    let code = consent_code(app, &http, connector, scopes, &pkce).await;
    let token = http
        .post(app.url("/sandbox/oauth/token"))
        .basic_auth(patchbay::sandbox::client_id(connector), Some(patchbay::sandbox::client_secret()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", &app.state.settings.redirect_uri()),
            ("code_verifier", &pkce.verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::OK);
    let answer: Value = token.json().await.unwrap();
    let tokens = TokenSet {
        access_token: answer["access_token"].as_str().unwrap().to_owned(),
        refresh_token: answer["refresh_token"].as_str().map(str::to_owned),
        token_type: "bearer".into(),
        token_secret: None,
    };
    let granted: Vec<String> =
        answer["scope"].as_str().unwrap().split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let expires_at = Some(patchbay::store::now() + answer["expires_in"].as_i64().unwrap());
    store(app, connector, &tokens, &granted, expires_at).await
}

/// Stores tokens as the app's shared connection, connected by Ada.
async fn store(
    app: &TestApp,
    connector: &str,
    tokens: &TokenSet,
    granted: &[String],
    expires_at: Option<i64>,
) -> ConnectionRow {
    let sealed = tokens.seal(&app.state.cipher, TODO_APP, connector);
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == ACCOUNT).unwrap();
    app.store
        .insert_connection(NewConnection {
            app_id: TODO_APP,
            connector,
            kind: "shared",
            owner_user_id: None,
            account: Some(ACCOUNT),
            status: "connected",
            granted_scopes: granted,
            sealed_tokens: Some(&sealed),
            expires_at,
            connected_by: ada.id,
        })
        .await
        .unwrap()
}

async fn consent_code(
    app: &TestApp,
    http: &reqwest::Client,
    connector: &str,
    scopes: &[String],
    pkce: &Pkce,
) -> String {
    let query = [
        ("response_type", "code".to_owned()),
        ("client_id", patchbay::sandbox::client_id(connector)),
        ("redirect_uri", app.state.settings.redirect_uri()),
        ("scope", scopes.join(" ")),
        ("state", "st".to_owned()),
        ("code_challenge", pkce.challenge.clone()),
        ("code_challenge_method", "S256".to_owned()),
        ("login_hint", ACCOUNT.to_owned()),
    ];
    let page = http.get(app.url("/sandbox/oauth/authorize")).query(&query).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the consent page for {connector}");
    let html = page.text().await.unwrap();
    assert!(!hidden_fields(&html).is_empty());
    let (_, answer) = redirect(&decide(http, app, None, &html, "allow", &[]).await);
    answer.get("code").unwrap_or_else(|| panic!("no code for {connector}: {answer:?}")).clone()
}

/// `POST /api/v1/apps/1/actions/<target>` with these inputs: the status and the answer.
pub async fn run(app: &TestApp, key: &str, target: &str, inputs: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/apps/{TODO_APP}/actions/{target}")))
        .bearer_auth(key)
        .json(&json!({ "inputs": inputs }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET <url>` with an app key, as JSON.
pub async fn get_json(url: &str, key: &str) -> Value {
    reqwest::Client::new().get(url).bearer_auth(key).send().await.unwrap().json().await.unwrap()
}

/// The Sandbox outbox as JSON, newest first.
pub async fn outbox(app: &TestApp) -> Vec<Value> {
    let answer: Value = reqwest::get(app.url("/sandbox/outbox.json")).await.unwrap().json().await.unwrap();
    answer["calls"].as_array().cloned().unwrap_or_default()
}

/// Asks the sandbox to fail the next `count` calls to `connector` this way.
pub async fn fault(app: &TestApp, connector: &str, kind: &str, count: u32) {
    let response = reqwest::Client::new()
        .post(app.url("/sandbox/faults"))
        .json(&json!({"connector": connector, "kind": kind, "count": count}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// The connection's access token as stored now.
pub async fn stored_token(app: &TestApp, connector: &str) -> String {
    let row = app.store.shared_connection(TODO_APP, connector).await.unwrap().unwrap();
    TokenSet::open(row.sealed_tokens.as_deref().unwrap(), &app.state.cipher, TODO_APP, connector).unwrap().access_token
}

/// A request written by hand on a socket, so that no client tidies its path (`..`).
pub async fn raw_request(app: &TestApp, method: &str, path: &str, key: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.unwrap();
    answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}
