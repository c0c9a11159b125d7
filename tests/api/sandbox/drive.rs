//! Drives the sandbox as a browser (consent form, redirects read, never followed) and as
//! an OAuth client (token, revocation, userinfo) would.

use crate::helpers::TestApp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use patchbay::sandbox::{self, CodeChallenge};
use rand::RngCore;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;

pub const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";
pub const GMAIL_READ: &str = "https://www.googleapis.com/auth/gmail.readonly";

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = CodeChallenge::of_verifier(&verifier).as_str().to_owned();
    Pkce { verifier, challenge }
}

pub fn callback(server: &TestApp) -> String {
    server.url("/oauth/callback")
}

/// A Google-shaped request for sandbox-gmail, Google's extra parameters included.
pub fn gmail_request(server: &TestApp, pkce: &Pkce, state: &str) -> Vec<(String, String)> {
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

pub fn with(mut params: Vec<(String, String)>, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    params.retain(|(k, _)| k != name);
    if let Some(v) = value {
        params.push((name.to_owned(), v.to_owned()));
    }
    params
}

pub async fn consent(
    http: &reqwest::Client,
    server: &TestApp,
    cookie: Option<&str>,
    query: &[(String, String)],
) -> reqwest::Response {
    let mut request = http.get(server.url("/sandbox/oauth/authorize")).query(query);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The consent form's hidden fields, as a browser would send them back.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let input = regex::Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]*)">"#).unwrap();
    input.captures_iter(html).map(|c| (c[1].to_owned(), unescape(&c[2]))).collect()
}

pub fn unescape(s: &str) -> String {
    [("&quot;", "\""), ("&#x27;", "'"), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&#x2f;", "/"), ("&amp;", "&")]
        .iter()
        .fold(s.to_owned(), |acc, (from, to)| acc.replace(from, to))
}

/// Presses Allow or Cancel on the consent form, optionally choosing an account.
pub async fn decide(
    http: &reqwest::Client,
    server: &TestApp,
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
    let mut request = http.post(server.url("/sandbox/oauth/authorize")).form(&form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The redirect's target without its query, and its query parameters.
pub fn redirect(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a redirect");
    let location = response.headers().get("location").expect("a Location").to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    let query = url.query_pairs().into_owned().collect();
    (location.split('?').next().unwrap().to_owned(), query)
}

/// Authorizes sandbox-gmail, presses Allow, and returns the code from the redirect.
pub async fn code_for(
    http: &reqwest::Client,
    server: &TestApp,
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
pub enum Auth {
    Basic,
    Body,
}

pub async fn post_form(
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

pub async fn token(
    http: &reqwest::Client,
    server: &TestApp,
    auth: Auth,
    params: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (status, headers, body) = post_form(http, server.url("/sandbox/oauth/token"), auth, params).await;
    assert_eq!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    (status, body)
}

pub async fn exchange(
    http: &reqwest::Client,
    server: &TestApp,
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

pub async fn userinfo(http: &reqwest::Client, server: &TestApp, access_token: &str) -> reqwest::Response {
    http.get(server.url("/sandbox/oauth/userinfo")).bearer_auth(access_token).send().await.unwrap()
}

pub fn error_of(answer: &(StatusCode, Value)) -> (u16, &str) {
    (answer.0.as_u16(), answer.1["error"].as_str().unwrap_or("<no error>"))
}

pub fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().unwrap_or_else(|| panic!("{key} missing in {body}"))
}
