//! OAuth 2.1 for agents' clients, patchbay as the authorization server: the 401 names the
//! protected resource metadata, a client registers itself, a builder of the app allows it
//! on a consent page, and the client's tokens open that one app's MCP server only. Codes
//! and refresh tokens work once; PKCE and the registered redirect are required.

use crate::actions::fixture::{all_scopes, connect};
use crate::helpers::{self, APP_USER, EDITOR, OWNER, TODO_APP, TestApp, location};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-verifier-of-enough-length-for-pkce-0123456789abcdef";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn mcp(app: &TestApp) -> String {
    app.url(&format!("/mcp/apps/{TODO_APP}"))
}

async fn register(app: &TestApp) -> String {
    let body = json!({"redirect_uris": [REDIRECT], "client_name": "Desk agent", "token_endpoint_auth_method": "none"});
    let response = reqwest::Client::new().post(app.url("/mcp/oauth/register")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let client: Value = response.json().await.unwrap();
    client["client_id"].as_str().unwrap().to_owned()
}

fn authorize_url(app: &TestApp, client_id: &str, resource: &str) -> String {
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("code_challenge", &challenge(VERIFIER)),
        ("code_challenge_method", "S256"),
        ("state", "st-42"),
        ("resource", resource),
        ("scope", "mcp"),
    ];
    let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish();
    app.url(&format!("/mcp/oauth/authorize?{query}"))
}

/// The parameters of the redirect back to the client.
fn returned(response: &reqwest::Response) -> std::collections::HashMap<String, String> {
    let to = location(response);
    assert!(to.starts_with(REDIRECT), "back to the registered address: {to}");
    url::Url::parse(&to).unwrap().query_pairs().into_owned().collect()
}

/// A person allows the client on the consent page; the code it gets back.
async fn allow(app: &TestApp, person: &reqwest::Client, client_id: &str) -> String {
    let page = helpers::text(person.get(authorize_url(app, client_id, &mcp(app))).send().await.unwrap(), 200).await;
    assert!(page.contains("Let Desk agent use Todo"), "{page}");
    assert!(page.contains("Gmail"), "the tools it could reach: {page}");
    let form = consent_form(app, client_id, "allow");
    let back = person.post(app.url("/mcp/oauth/authorize")).form(&form).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let params = returned(&back);
    assert_eq!(params["state"], "st-42");
    assert_eq!(params["iss"], app.url(""));
    params["code"].clone()
}

fn consent_form(app: &TestApp, client_id: &str, decision: &str) -> Vec<(String, String)> {
    let pairs = [
        ("response_type", "code".to_owned()),
        ("client_id", client_id.to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_owned()),
        ("state", "st-42".to_owned()),
        ("resource", mcp(app)),
        ("decision", decision.to_owned()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

async fn token(app: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let response = reqwest::Client::new().post(app.url("/mcp/oauth/token")).form(form).send().await.unwrap();
    assert_eq!(response.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn exchange(app: &TestApp, client_id: &str, code: &str, verifier: &str) -> (u16, Value) {
    let resource = mcp(app);
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier),
        ("resource", &resource),
    ];
    token(app, &form).await
}

/// The status of a `tools/list` with this bearer.
async fn list_with(app: &TestApp, path: &str, bearer: &str) -> u16 {
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    super::raw_post(app, path, bearer, None, &list).await.status().as_u16()
}

#[tokio::test]
async fn the_401_leads_a_client_to_the_metadata_that_says_how_to_sign_in() {
    let app = TestApp::spawn().await;
    let refused = reqwest::Client::new().post(mcp(&app)).json(&json!({})).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap().to_owned();
    let metadata_url = app.url(&format!("/.well-known/oauth-protected-resource/mcp/apps/{TODO_APP}"));
    assert!(challenge.starts_with("Bearer ") && challenge.contains(&format!("resource_metadata=\"{metadata_url}\"")));

    let resource: Value = reqwest::get(&metadata_url).await.unwrap().json().await.unwrap();
    assert_eq!(resource["resource"], mcp(&app).as_str());
    let issuer = resource["authorization_servers"][0].as_str().unwrap().to_owned();
    let server: Value =
        reqwest::get(format!("{issuer}/.well-known/oauth-authorization-server")).await.unwrap().json().await.unwrap();
    assert_eq!(server["issuer"], issuer.as_str());
    assert_eq!(server["code_challenge_methods_supported"], json!(["S256"]));
    for endpoint in ["authorization_endpoint", "token_endpoint", "registration_endpoint"] {
        assert!(server[endpoint].as_str().unwrap().starts_with(&issuer), "{server}");
    }
}

#[tokio::test]
async fn a_builder_allows_an_agent_whose_tokens_then_open_this_apps_server_only() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let client_id = register(&app).await;
    let editor = app.signed_in(EDITOR).await;

    // A wrong verifier spends the code: the right one afterwards is too late.
    let code = allow(&app, &editor, &client_id).await;
    let (status, refused) = exchange(&app, &client_id, &code, &format!("{VERIFIER}-not")).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_grant")), "{refused}");
    assert_eq!(exchange(&app, &client_id, &code, VERIFIER).await.1["error"], "invalid_grant");

    let code = allow(&app, &editor, &client_id).await;
    let (status, tokens) = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(exchange(&app, &client_id, &code, VERIFIER).await.1["error"], "invalid_grant", "a code works once");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(list_with(&app, &format!("/mcp/apps/{TODO_APP}"), &access).await, 200);

    // Another app's server, and the App API, do not take it.
    let ada = app.store.list_users().await.unwrap()[0].id;
    let other = app.store.create_app("Other", "{}", "UTC", ada).await.unwrap();
    assert_eq!(list_with(&app, &format!("/mcp/apps/{}", other.id), &access).await, 401);
    let api =
        reqwest::Client::new().get(app.url("/api/v1/apps/1/connections")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(api.status(), 401, "an agent's token is for the MCP server alone");

    // A refresh token works once; a replay revokes the grant and its tokens.
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let form = [("grant_type", "refresh_token"), ("client_id", client_id.as_str()), ("refresh_token", &refresh)];
    let (status, renewed) = token(&app, &form).await;
    assert_eq!(status, 200, "{renewed}");
    let renewed_access = renewed["access_token"].as_str().unwrap().to_owned();
    assert_eq!(list_with(&app, &format!("/mcp/apps/{TODO_APP}"), &renewed_access).await, 200);
    let (status, replayed) = token(&app, &form).await;
    assert_eq!((status, replayed["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(list_with(&app, &format!("/mcp/apps/{TODO_APP}"), &renewed_access).await, 401, "grant revoked");
}

#[tokio::test]
async fn only_a_builder_of_the_app_may_allow_and_a_bad_request_is_not_sent_anywhere_new() {
    let app = TestApp::spawn().await;
    let client_id = register(&app).await;

    // Not signed in: to sign-in first, and back here afterwards.
    let anonymous = TestApp::client();
    let to_login = anonymous.get(authorize_url(&app, &client_id, &mcp(&app))).send().await.unwrap();
    assert!(location(&to_login).starts_with("/login?next=%2Fmcp%2Foauth%2Fauthorize"), "{}", location(&to_login));

    // An app user is not a builder: no page, no code.
    let person = app.signed_in(APP_USER).await;
    let page = person.get(authorize_url(&app, &client_id, &mcp(&app))).send().await.unwrap();
    assert!(matches!(page.status().as_u16(), 403 | 404), "{}", page.status());
    let sneaked =
        person.post(app.url("/mcp/oauth/authorize")).form(&consent_form(&app, &client_id, "allow")).send().await;
    assert!(matches!(sneaked.unwrap().status().as_u16(), 403 | 404));

    let owner = app.signed_in(OWNER).await;
    // An unregistered redirect is refused here, and nothing is sent to it.
    let elsewhere = authorize_url(&app, &client_id, &mcp(&app)).replace("127.0.0.1%3A9", "127.0.0.1%3A8");
    let page = helpers::text(owner.get(elsewhere).send().await.unwrap(), 400).await;
    assert!(page.contains("did not register"), "{page}");
    let unknown = authorize_url(&app, "mcp_nobody", &mcp(&app));
    assert!(helpers::text(owner.get(unknown).send().await.unwrap(), 400).await.contains("not registered"));
    // Other faults go back to the client, with its state.
    let other_server = authorize_url(&app, &client_id, "https://elsewhere.example/mcp/apps/1");
    let back = owner.get(other_server).send().await.unwrap();
    assert_eq!((returned(&back)["error"].as_str(), returned(&back)["state"].as_str()), ("invalid_target", "st-42"));
    let plain = authorize_url(&app, &client_id, &mcp(&app)).replace("S256", "plain");
    assert_eq!(returned(&owner.get(plain).send().await.unwrap())["error"], "invalid_request");

    // Deny: the client hears so, and gets no code.
    let denied = owner.post(app.url("/mcp/oauth/authorize")).form(&consent_form(&app, &client_id, "deny")).send().await;
    let params = returned(&denied.unwrap());
    assert_eq!(params["error"], "access_denied");
    assert!(!params.contains_key("code"));

    // Registration takes HTTPS or loopback redirects only.
    let bad = json!({"redirect_uris": ["http://agent.example/cb"]});
    let refused = reqwest::Client::new().post(app.url("/mcp/oauth/register")).json(&bad).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "invalid_redirect_uri");
}

#[tokio::test]
async fn an_owner_sees_each_signed_in_agent_its_calls_are_audited_and_its_access_can_be_taken_back() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let client_id = register(&app).await;
    let editor = app.signed_in(EDITOR).await;
    let code = allow(&app, &editor, &client_id).await;
    let access = exchange(&app, &client_id, &code, VERIFIER).await.1["access_token"].as_str().unwrap().to_owned();

    let search = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "search_tools", "arguments": {"task": "email the team"}}});
    let called = super::raw_post(&app, &format!("/mcp/apps/{TODO_APP}"), &access, None, &search).await;
    assert_eq!(called.status(), 200);
    let audit = app.store.audit_of_app(TODO_APP, 20).await.unwrap();
    let call = audit.iter().find(|e| e.action == "mcp.tool_call").expect("the call is audited");
    assert!(call.detail.as_deref().unwrap().starts_with("Desk agent: search_tools"), "{call:?}");
    let eddie = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == EDITOR).unwrap();
    assert_eq!(call.user_id, Some(eddie.id), "on behalf of the person who allowed it");
    assert!(!format!("{audit:?}").contains(&access), "never the token");

    let owner = app.signed_in(OWNER).await;
    let settings = helpers::text(owner.get(app.url("/apps/1/settings")).send().await.unwrap(), 200).await;
    assert!(settings.contains("Desk agent") && settings.contains("allowed by"), "{settings}");
    let grant = app.store.mcp_grants_of_app(TODO_APP).await.unwrap()[0].id;
    let revoke = app.url(&format!("/apps/1/settings/agents/access/{grant}/revoke"));
    let page = helpers::text(owner.post(&revoke).send().await.unwrap(), 200).await;
    assert!(page.contains("Desk agent can no longer use this app"), "{page}");
    assert_eq!(list_with(&app, &format!("/mcp/apps/{TODO_APP}"), &access).await, 401);
}

/// A client's metadata document, served on this machine the way a client's site would.
async fn serve_document(document: impl Fn(&str) -> Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/agent/client.json", listener.local_addr().unwrap());
    let body = document(&address);
    let router = axum::Router::new()
        .route("/agent/client.json", axum::routing::get(move || std::future::ready(axum::Json(body.clone()))));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

#[tokio::test]
async fn a_client_named_by_its_metadata_document_signs_in_without_registering() {
    let app = TestApp::spawn_with(|s| s.actions.allow_local_custom_apis = true).await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let client_id = serve_document(|own| {
        json!({"client_id": own, "client_name": "Documented agent", "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none"})
    })
    .await;
    let owner = app.signed_in(OWNER).await;
    let page = helpers::text(owner.get(authorize_url(&app, &client_id, &mcp(&app))).send().await.unwrap(), 200).await;
    assert!(page.contains("Let Documented agent use Todo"), "{page}");
    let mut form = consent_form(&app, &client_id, "allow");
    form.retain(|(k, _)| k != "client_id");
    form.push(("client_id".into(), client_id.clone()));
    let back = owner.post(app.url("/mcp/oauth/authorize")).form(&form).send().await.unwrap();
    let code = returned(&back)["code"].clone();
    let (status, tokens) = exchange(&app, &client_id, &code, VERIFIER).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(list_with(&app, &format!("/mcp/apps/{TODO_APP}"), tokens["access_token"].as_str().unwrap()).await, 200);

    // A document that claims another id is refused on the page.
    let impostor = serve_document(|_| {
        json!({"client_id": "https://someone-else.example/client.json",
        "client_name": "Impostor", "redirect_uris": [REDIRECT]})
    })
    .await;
    let page = helpers::text(owner.get(authorize_url(&app, &impostor, &mcp(&app))).send().await.unwrap(), 400).await;
    assert!(page.contains("names another client id"), "{page}");
}

#[tokio::test]
async fn a_metadata_document_on_this_machine_is_not_read_outside_development() {
    let app = TestApp::spawn().await;
    let client_id = serve_document(|own| json!({"client_id": own, "redirect_uris": [REDIRECT]})).await;
    let owner = app.signed_in(OWNER).await;
    let page = helpers::text(owner.get(authorize_url(&app, &client_id, &mcp(&app))).send().await.unwrap(), 400).await;
    assert!(page.contains("does not start with https://"), "{page}");
    let https_local = "https://127.0.0.1:9/agent.json";
    let page = helpers::text(owner.get(authorize_url(&app, https_local, &mcp(&app))).send().await.unwrap(), 400).await;
    assert!(page.contains("not a public address"), "{page}");
}
