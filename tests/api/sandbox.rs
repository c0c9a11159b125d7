//! The sandbox authorization server over HTTP, driven as a browser and an OAuth client
//! would drive it, with every redirect checked rather than followed.

use crate::server::{TestServer, client, sign_in};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use patchbay::config::Environment;
use patchbay::sandbox::{self, CodeChallenge};
use rand::RngCore;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;

const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";
const GMAIL_READ: &str = "https://www.googleapis.com/auth/gmail.readonly";

struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce() -> Pkce {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = CodeChallenge::of_verifier(&verifier).as_str().to_owned();
    Pkce { verifier, challenge }
}

fn callback(server: &TestServer) -> String {
    server.at("/oauth/callback")
}

/// A Google-shaped request for sandbox-gmail, Google's extra parameters included.
fn gmail_request(server: &TestServer, pkce: &Pkce, state: &str) -> Vec<(String, String)> {
    [
        ("response_type", "code"),
        ("client_id", "sandbox-gmail"),
        ("redirect_uri", &callback(server)),
        ("scope", &format!("openid email {GMAIL_SEND} {GMAIL_READ}")),
        ("state", state),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
        ("access_type", "offline"),
        ("prompt", "consent"),
        ("include_granted_scopes", "true"),
        ("owner", "user"),
        ("audience", "https://api.example"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn with(mut params: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    params.retain(|(k, _)| k != name);
    if let Some(v) = value {
        params.push((name.to_owned(), v.to_owned()));
    }
    params
}

async fn consent(
    http: &reqwest::Client,
    server: &TestServer,
    cookie: Option<&str>,
    query: &[(String, String)],
) -> reqwest::Response {
    let mut request = http.get(server.at("/sandbox/oauth/authorize")).query(query);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The consent form's hidden fields, as a browser would send them back.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let input = regex::Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]*)">"#).unwrap();
    input.captures_iter(html).map(|c| (c[1].to_owned(), unescape(&c[2]))).collect()
}

fn unescape(s: &str) -> String {
    [("&quot;", "\""), ("&#x27;", "'"), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&#x2f;", "/"), ("&amp;", "&")]
        .iter()
        .fold(s.to_owned(), |acc, (from, to)| acc.replace(from, to))
}

/// Presses Allow or Cancel on the consent form, optionally choosing an account.
async fn decide(
    http: &reqwest::Client,
    server: &TestServer,
    cookie: Option<&str>,
    html: &str,
    decision: &str,
    account: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = hidden_fields(html);
    form.push(("decision".into(), decision.into()));
    form.extend(account.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    if !account.iter().any(|(k, _)| *k == "account") {
        // What a browser sends: the radio button checked by default.
        let checked = regex::Regex::new(r#"name="account" value="([^"]+)" checked"#).unwrap();
        if let Some(c) = checked.captures(html) {
            form.push(("account".into(), unescape(&c[1])));
        }
    }
    let mut request = http.post(server.at("/sandbox/oauth/authorize")).form(&form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The redirect's target without its query, and its query parameters.
fn redirect(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a redirect");
    let location = response.headers().get("location").expect("a Location").to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    let query = url.query_pairs().into_owned().collect();
    (location.split('?').next().unwrap().to_owned(), query)
}

/// Authorizes sandbox-gmail, presses Allow, and returns the code from the redirect.
async fn code_for(
    http: &reqwest::Client,
    server: &TestServer,
    cookie: Option<&str>,
    pkce: &Pkce,
    account: &[(&str, &str)],
) -> String {
    let page = consent(http, server, cookie, &gmail_request(server, pkce, "st")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let (to, query) = redirect(&decide(http, server, cookie, &html, "allow", account).await);
    assert_eq!(to, callback(server));
    assert_eq!(query.get("state").map(String::as_str), Some("st"));
    query.get("code").expect("a code").clone()
}

#[derive(Clone, Copy)]
enum Auth {
    Basic,
    Body,
}

async fn post_form(
    http: &reqwest::Client,
    url: String,
    auth: Auth,
    params: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut form: Vec<(&str, &str)> = params.to_vec();
    let mut request = http.post(url);
    match auth {
        Auth::Basic => request = request.basic_auth("sandbox-gmail", Some(sandbox::client_secret())),
        Auth::Body => form.extend([("client_id", "sandbox-gmail"), ("client_secret", sandbox::client_secret())]),
    }
    let response = request.form(&form).send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.unwrap();
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn token(
    http: &reqwest::Client,
    server: &TestServer,
    auth: Auth,
    params: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, headers, body) = post_form(http, server.at("/sandbox/oauth/token"), auth, params).await;
    assert_eq!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    (status, body)
}

async fn exchange(
    http: &reqwest::Client,
    server: &TestServer,
    auth: Auth,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let redirect_uri = callback(server);
    let params = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &redirect_uri),
        ("code_verifier", verifier),
    ];
    token(http, server, auth, &params).await
}

async fn userinfo(http: &reqwest::Client, server: &TestServer, access_token: &str) -> reqwest::Response {
    http.get(server.at("/sandbox/oauth/userinfo")).bearer_auth(access_token).send().await.unwrap()
}

fn error_of(answer: &(StatusCode, Value)) -> (u16, &str) {
    (answer.0.as_u16(), answer.1["error"].as_str().unwrap_or("<no error>"))
}

fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().unwrap_or_else(|| panic!("{key} missing in {body}"))
}

#[tokio::test]
async fn the_whole_sandbox_flow_runs_over_http_from_consent_to_revocation() {
    let server = TestServer::spawn().await;
    let http = client();
    let cookie = sign_in(&http, &server, 1).await;
    let pkce = pkce();

    // The consent screen: the provider it plays, labelled as a sandbox, in plain words.
    let page = consent(&http, &server, Some(&cookie), &gmail_request(&server, &pkce, "st-42")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    for shown in [
        "Sandbox Gmail — patchbay demo wants to:",
        "SANDBOX",
        "Send email on your behalf",
        "Read your email messages and settings",
        "See your email address",
        "Allow",
        "Cancel",
    ] {
        assert!(html.contains(shown), "the consent page lacks {shown:?}");
    }
    let write = html.find(">Write<").expect("a Write group");
    let read = html.find(">Read<").expect("a Read group");
    let send = html.find("Send email on your behalf").unwrap();
    assert!(write < send && send < read, "sending is listed under Write");
    assert!(html.contains(r#"value="ada@example.com" checked"#), "the signed-in owner is the default account");

    // Allow, as another account typed in by hand.
    let allowed = decide(
        &http,
        &server,
        Some(&cookie),
        &html,
        "allow",
        &[("account", "other"), ("other_email", "builder@acme.test")],
    )
    .await;
    let (to, query) = redirect(&allowed);
    assert_eq!(to, callback(&server));
    assert_eq!(query.get("state").map(String::as_str), Some("st-42"));
    let code = &query["code"];

    // The code for tokens, the client authenticating with HTTP Basic.
    let (status, tokens) = exchange(&http, &server, Auth::Basic, code, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], format!("openid email {GMAIL_SEND} {GMAIL_READ}"), "space-separated, as asked");
    let (access, refresh) = (str_of(&tokens, "access_token"), str_of(&tokens, "refresh_token"));

    let me = userinfo(&http, &server, access).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!((me["email"].as_str(), me["name"].as_str()), (Some("builder@acme.test"), Some("Builder")));
    assert!(str_of(&me, "sub").starts_with("sandbox-"));

    // Refresh (client secret in the body this time) rotates the refresh token.
    let (status, renewed) =
        token(&http, &server, Auth::Body, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let (access2, refresh2) = (str_of(&renewed, "access_token"), str_of(&renewed, "refresh_token"));
    assert!(access2 != access && refresh2 != refresh);
    assert_eq!(renewed["scope"], tokens["scope"]);
    let reused =
        token(&http, &server, Auth::Body, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(error_of(&reused), (400, "invalid_grant"), "the old refresh token stopped working");
    assert_eq!(userinfo(&http, &server, access2).await.status(), StatusCode::OK);

    // Revoking the refresh token takes its access tokens with it.
    let revoke = server.at("/sandbox/oauth/revoke");
    let (status, _, _) = post_form(&http, revoke.clone(), Auth::Basic, &[("token", refresh2)]).await;
    assert_eq!(status, StatusCode::OK);
    let gone = userinfo(&http, &server, access2).await;
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    assert!(gone.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let after =
        token(&http, &server, Auth::Basic, &[("grant_type", "refresh_token"), ("refresh_token", refresh2)]).await;
    assert_eq!(error_of(&after), (400, "invalid_grant"));
    for again in [refresh2, "never-issued"] {
        let (status, _, _) = post_form(&http, revoke.clone(), Auth::Body, &[("token", again)]).await;
        assert_eq!(status, StatusCode::OK, "revocation answers 200 for any well-formed request");
    }
    let (status, _, body) = post_form(&http, revoke, Auth::Body, &[]).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_request")), "a token is required");
}

#[tokio::test]
async fn without_a_patchbay_sign_in_the_sandbox_offers_its_demo_accounts_and_takes_the_secret_in_the_body() {
    let server = TestServer::spawn().await;
    let http = client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let (status, tokens) = exchange(&http, &server, Auth::Body, &code, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let me: Value = userinfo(&http, &server, str_of(&tokens, "access_token")).await.json().await.unwrap();
    assert_eq!(me["email"], sandbox::DEMO_ACCOUNTS[0].0, "the first demo account is the default");
}

#[tokio::test]
async fn cancel_on_the_sandbox_consent_screen_returns_access_denied_with_the_state() {
    let server = TestServer::spawn().await;
    let http = client();
    let html = consent(&http, &server, None, &gmail_request(&server, &pkce(), "keep-me")).await.text().await.unwrap();
    let (to, query) = redirect(&decide(&http, &server, None, &html, "cancel", &[]).await);
    assert_eq!(to, callback(&server));
    assert_eq!(query.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(query.get("state").map(String::as_str), Some("keep-me"));
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn a_sandbox_code_with_the_wrong_verifier_is_invalid_grant_and_spent() {
    let server = TestServer::spawn().await;
    let http = client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let wrong = exchange(&http, &server, Auth::Basic, &code, &self::pkce().verifier).await;
    assert_eq!(error_of(&wrong), (400, "invalid_grant"));
    let right = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(error_of(&right), (400, "invalid_grant"), "a failed attempt spends the code");
}

#[tokio::test]
async fn a_replayed_sandbox_code_is_invalid_grant_and_revokes_its_tokens() {
    let server = TestServer::spawn().await;
    let http = client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let (status, first) = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK);
    let replay = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(error_of(&replay), (400, "invalid_grant"));
    let access = str_of(&first, "access_token");
    assert_eq!(userinfo(&http, &server, access).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_sandbox_code_sent_with_another_redirect_uri_is_invalid_grant() {
    let server = TestServer::spawn().await;
    let http = client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let other = server.at("/oauth/elsewhere");
    let params = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &other),
        ("code_verifier", &pkce.verifier),
    ];
    assert_eq!(error_of(&token(&http, &server, Auth::Basic, &params).await), (400, "invalid_grant"));
}

#[tokio::test]
async fn the_sandbox_refuses_a_missing_or_plain_pkce_challenge_back_at_the_client() {
    let server = TestServer::spawn().await;
    let http = client();
    let request = gmail_request(&server, &pkce(), "st-p");
    let missing = with(with(request.clone(), "code_challenge", None), "code_challenge_method", None);
    let plain = with(request, "code_challenge_method", Some("plain"));
    for query in [missing, plain] {
        let (to, answer) = redirect(&consent(&http, &server, None, &query).await);
        assert_eq!(to, callback(&server));
        assert_eq!(answer.get("error").map(String::as_str), Some("invalid_request"));
        assert_eq!(answer.get("state").map(String::as_str), Some("st-p"));
        assert!(answer["error_description"].contains("S256"), "{answer:?}");
    }
}

#[tokio::test]
async fn an_unknown_sandbox_client_or_unregistered_redirect_gets_an_error_page_not_a_redirect() {
    let server = TestServer::spawn().await;
    let http = client();
    let request = gmail_request(&server, &pkce(), "st");
    for (query, says) in [
        (with(request.clone(), "redirect_uri", Some("https://evil.example/cb")), "not registered"),
        (with(request.clone(), "client_id", Some("sandbox-nope")), "no client"),
        (with(request, "client_id", Some("sandbox-stripe")), "no client"),
    ] {
        let response = consent(&http, &server, None, &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains(says), "the page should say {says:?}");
    }
}

#[tokio::test]
async fn a_wrong_sandbox_client_secret_is_invalid_client_with_a_401() {
    let server = TestServer::spawn().await;
    let http = client();
    for (id, secret) in [("sandbox-gmail", "wrong"), ("sandbox-nope", sandbox::CLIENT_SECRET)] {
        let response = http
            .post(server.at("/sandbox/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key("www-authenticate"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
}

#[tokio::test]
async fn the_sandbox_consent_screen_puts_the_account_choice_first_for_select_account_and_checks_the_address() {
    let server = TestServer::spawn().await;
    let http = client();
    let request = gmail_request(&server, &pkce(), "st");
    let plain = consent(&http, &server, None, &request).await.text().await.unwrap();
    assert!(!plain.contains("Choose an account"));
    let choosing = with(request, "prompt", Some("select_account consent"));
    let html = consent(&http, &server, None, &choosing).await.text().await.unwrap();
    let chooser = html.find("Choose an account").expect("a prominent account chooser");
    assert!(chooser < html.find("Send email on your behalf").unwrap(), "the chooser comes first");

    let refused =
        decide(&http, &server, None, &html, "allow", &[("account", "other"), ("other_email", "nobody")]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("is not an email address"));
}

#[tokio::test]
async fn an_expired_sandbox_access_token_is_refused_and_a_refresh_brings_a_working_one() {
    let server = TestServer::spawn_with(|s| s.sandbox.access_token_ttl_secs = 2).await;
    let http = client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let (_, tokens) = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(tokens["expires_in"], 2);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(userinfo(&http, &server, str_of(&tokens, "access_token")).await.status(), StatusCode::UNAUTHORIZED);
    let refresh = str_of(&tokens, "refresh_token");
    let (status, renewed) =
        token(&http, &server, Auth::Basic, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(userinfo(&http, &server, str_of(&renewed, "access_token")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_second_server_instance_finishes_a_sandbox_flow_the_first_began() {
    let postgres = crate::pg::fresh_postgres_url().await;
    let shared = |s: &mut patchbay::config::Settings| {
        s.public_url = Some("http://patchbay.test".into());
        s.database_url = postgres.clone().map(Into::into);
    };
    let first = TestServer::spawn_with(shared).await;
    let second = TestServer::spawn_in(first.dir.clone(), shared).await;
    let http = client();
    let pkce = pkce();
    let mut request = gmail_request(&first, &pkce, "st");
    request = with(request, "redirect_uri", Some("http://patchbay.test/oauth/callback"));
    let html = consent(&http, &first, None, &request).await.text().await.unwrap();
    let (_, query) = redirect(&decide(&http, &first, None, &html, "allow", &[]).await);
    let params = [
        ("grant_type", "authorization_code"),
        ("code", query["code"].as_str()),
        ("redirect_uri", "http://patchbay.test/oauth/callback"),
        ("code_verifier", &pkce.verifier),
    ];
    let (status, tokens) = token(&http, &second, Auth::Basic, &params).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(userinfo(&http, &first, str_of(&tokens, "access_token")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_sandbox_is_not_served_in_production() {
    let server = TestServer::spawn_with(|s| s.env = Environment::Production).await;
    let http = client();
    let page = consent(&http, &server, None, &gmail_request(&server, &pkce(), "st")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let token = http.post(server.at("/sandbox/oauth/token")).form(&[("grant_type", "x")]).send().await.unwrap();
    assert_eq!(token.status(), StatusCode::NOT_FOUND);
    let me = http.get(server.at("/sandbox/oauth/userinfo")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::NOT_FOUND);
}
