//! The proxy: the provider's answer passes back, the credential is patchbay's, and no path,
//! host or redirect trick moves the call (or the token) anywhere else.

use super::fixture::{all_scopes, app_key, connect, fault, outbox, raw_request, stored_token};
use crate::helpers::TestApp;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn proxy(app: &TestApp, rest: &str) -> String {
    app.url(&format!("/api/v1/apps/1/proxy/{rest}"))
}

async fn stubbed(stub: &MockServer, adjust: impl FnOnce(&mut patchbay::config::Settings)) -> (TestApp, String) {
    let base = stub.uri();
    let app = TestApp::spawn_with(|s| {
        let c = s.connectors.entry("gmail".into()).or_default();
        c.api_base_url = Some(base);
        c.allow_insecure_endpoints = true;
        adjust(s);
    })
    .await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    (app, key)
}

#[tokio::test]
async fn the_proxy_sends_the_connections_token_and_never_the_callers_credentials() {
    let stub = MockServer::start().await;
    let (app, key) = stubbed(&stub, |_| {}).await;
    let token = stored_token(&app, "gmail").await;
    let expected = format!("Bearer {token}");
    Mock::given(method("POST"))
        .and(path("/gmail/v1/users/me/labels"))
        .and(move |req: &Request| {
            let auth: Vec<_> = req.headers.get_all("authorization").iter().collect();
            auth.len() == 1
                && auth[0] == expected.as_str()
                && !req.headers.contains_key("cookie")
                && req.headers.get("x-trace").is_some_and(|v| v == "t-1")
                && req.url.query() == Some("fields=id")
                && req.body == br#"{"name":"Invoices"}"#
        })
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", "provider=1")
                .insert_header("etag", "\"v1\"")
                .set_body_json(json!({"id": "Label_7", "name": "Invoices"})),
        )
        .expect(1)
        .mount(&stub)
        .await;
    let answer = reqwest::Client::new()
        .post(proxy(&app, "gmail/gmail/v1/users/me/labels?fields=id"))
        .bearer_auth(&key)
        .header("cookie", "pb_session=should-not-pass")
        .header("x-trace", "t-1")
        .header("content-type", "application/json")
        .body(r#"{"name":"Invoices"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().get("set-cookie").is_none(), "the provider's cookies stay with the provider");
    assert_eq!(answer.headers()["etag"], "\"v1\"");
    assert_eq!(answer.json::<Value>().await.unwrap()["id"], "Label_7");
}

#[tokio::test]
async fn the_proxy_refuses_paths_that_could_leave_the_api() {
    let stub = MockServer::start().await;
    let (app, key) = stubbed(&stub, |_| {}).await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(200)).expect(0).mount(&stub).await;
    for trick in [
        "gmail/../../../etc/passwd",
        "gmail/gmail/%2e%2e/%2e%2e/admin",
        "gmail/@evil.example/x",
        "gmail/x%40evil.example",
        "gmail/a%2fb",
        "gmail//evil.example/x",
        "gmail/http://169.254.169.254/latest/meta-data",
        "gmail/a%5c..%5cb",
    ] {
        let status = raw_request(&app, "GET", &format!("/api/v1/apps/1/proxy/{trick}"), &key).await;
        assert_eq!(status, 400, "{trick} was not refused");
    }
}

#[tokio::test]
async fn the_proxy_does_not_follow_a_redirect_to_the_metadata_address() {
    let stub = MockServer::start().await;
    let (app, key) = stubbed(&stub, |_| {}).await;
    Mock::given(method("GET"))
        .and(path("/gmail/v1/users/me/profile"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "http://169.254.169.254/latest/meta-data/"))
        .expect(1)
        .mount(&stub)
        .await;
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(proxy(&app, "gmail/gmail/v1/users/me/profile"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    assert!(answer.headers().get("location").is_none(), "the redirect is not handed on either");
    assert!(answer.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("does not follow redirects"));
}

#[tokio::test]
async fn the_proxy_bounds_what_it_passes_each_way() {
    let stub = MockServer::start().await;
    let (app, key) = stubbed(&stub, |s| {
        s.actions.max_request_bytes = 1024;
        s.actions.max_response_bytes = 2048;
    })
    .await;
    Mock::given(method("GET"))
        .and(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 4096]))
        .mount(&stub)
        .await;
    Mock::given(method("GET"))
        .and(path("/small"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'y'; 1500]))
        .mount(&stub)
        .await;
    let http = reqwest::Client::new();
    let too_big = http.post(proxy(&app, "gmail/upload")).bearer_auth(&key).body(vec![0u8; 4096]).send().await.unwrap();
    assert_eq!(too_big.status(), 413);
    let answer = http.get(proxy(&app, "gmail/big")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(answer.status(), 502, "a longer answer than the bound is refused");
    let streamed = http.get(proxy(&app, "gmail/small")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(streamed.bytes().await.unwrap().len(), 1500);
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_the_call_is_sent_once_more() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let before = stored_token(&app, "gmail").await;
    fault(&app, "gmail", "unauthorized", 1).await;
    let http = reqwest::Client::new();
    let url = proxy(&app, "gmail/gmail/v1/users/me/messages?q=invoice");
    let answer = http.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(answer.status(), 200, "{:?}", answer.text().await);
    assert_ne!(stored_token(&app, "gmail").await, before, "the renewed token is kept");
    let calls = outbox(&app).await;
    assert_eq!(calls.len(), 2, "the refused call and its one retry");
    assert_eq!((calls[1]["status"].as_u64(), calls[0]["status"].as_u64()), (Some(401), Some(200)));

    // Refused again after renewing: the 401 goes back, and nothing more is tried.
    fault(&app, "gmail", "unauthorized", 2).await;
    let answer = http.get(&url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    assert_eq!(outbox(&app).await.len(), 4, "one call and one retry, no loop");
}

#[tokio::test]
async fn a_rate_limit_passes_back_with_its_retry_after() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    fault(&app, "gmail", "rate_limited", 1).await;
    let answer = reqwest::Client::new()
        .get(proxy(&app, "gmail/gmail/v1/users/me/messages"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 429);
    assert_eq!(answer.headers()["retry-after"], "7");
}

#[tokio::test]
async fn the_proxy_is_for_app_keys_and_connected_tools_only() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let http = reqwest::Client::new();
    let none = http.get(proxy(&app, "gmail/gmail/v1/users/me/profile")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(none.status(), 404, "no Gmail connection");
    assert!(none.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("no Gmail connection"));
    let owner = app.signed_in(crate::helpers::OWNER).await;
    let person = owner.get(proxy(&app, "gmail/gmail/v1/users/me/profile")).send().await.unwrap();
    assert_eq!(person.status(), 403, "a signed-in person does not use the proxy");
    let anonymous = http.get(proxy(&app, "gmail/x")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn an_upload_larger_than_a_form_passes_within_the_proxys_own_bound() {
    let stub = MockServer::start().await;
    let (app, key) = stubbed(&stub, |_| {}).await;
    Mock::given(method("PUT"))
        .and(path("/upload/file"))
        .and(|req: &Request| req.body.len() == 600 * 1024)
        .respond_with(ResponseTemplate::new(201))
        .expect(1)
        .mount(&stub)
        .await;
    let answer = reqwest::Client::new()
        .put(proxy(&app, "gmail/upload/file"))
        .bearer_auth(&key)
        .body(vec![7u8; 600 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201, "600 KiB is more than a page form takes, and well within the proxy's 10 MiB");
}
