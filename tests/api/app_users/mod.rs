//! App user connectors: each person who uses the published app connects their own account
//! through a single-use link the host's backend asks for, and the host then acts as that
//! person only. Against the sandbox here, and against oidc-provider in `peer.rs`.

mod peer;
mod sandbox;

use crate::helpers::{TODO_APP, TestApp, location};
use crate::sandbox::drive::{decide, redirect};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `POST` an App API route with the key; the status and the JSON answer.
pub async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/apps/{TODO_APP}/{path}")))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

pub async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/apps/{TODO_APP}/{path}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// A connect link for `person`, as the host's backend asks for one.
pub async fn link_for(app: &TestApp, key: &str, person: &str, return_url: Option<&str>) -> String {
    let mut body = json!({"connector": "gmail"});
    if let Some(back) = return_url {
        body["return_url"] = json!(back);
    }
    let (status, answer) = post(app, key, &format!("app-users/{person}/connect-sessions"), body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["expires_at"].as_str().is_some_and(|t| t.contains('T')), "{answer}");
    answer["url"].as_str().unwrap().to_owned()
}

/// The person opens the link, continues, and picks `email` at the sandbox's consent screen;
/// the answer is the callback URL the provider sends their browser back to.
pub async fn consent_at_sandbox(app: &TestApp, browser: &reqwest::Client, link: &str, email: &str) -> String {
    let page = browser.get(link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let go = browser.post(link).form(&[("choice", "continue")]).send().await.unwrap();
    assert_eq!(go.status(), StatusCode::SEE_OTHER, "{}", go.text().await.unwrap_or_default());
    let consent = browser.get(location(&go)).send().await.unwrap();
    assert_eq!(consent.status(), StatusCode::OK);
    let html = consent.text().await.unwrap();
    let allowed = decide(browser, app, None, &html, "allow", &[("other_email", email)]).await;
    let (to, query) = redirect(&allowed);
    assert_eq!(to, app.url("/oauth/callback"));
    assert!(query.contains_key("code"), "{query:?}");
    location(&allowed)
}

/// The whole connect, from the link to the page the person lands on.
pub async fn connect_person(app: &TestApp, key: &str, person: &str, email: &str) -> reqwest::Response {
    let browser = app.browser();
    let link = link_for(app, key, person, None).await;
    let back = consent_at_sandbox(app, &browser, &link, email).await;
    browser.get(back).send().await.unwrap()
}

/// Sets Gmail up for the app's users through the App API.
pub async fn set_up_gmail(app: &TestApp, key: &str) -> Value {
    let (status, answer) = post(app, key, "app-user-connectors", json!({"connector": "gmail"})).await;
    assert_eq!(status, 200, "{answer}");
    answer
}
