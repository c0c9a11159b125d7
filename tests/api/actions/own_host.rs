//! Providers on the customer's own host (a Shopify shop): the card asks for it, the
//! sign-in goes to that shop, the connection keeps it, and its API calls go there.

use super::fixture::{app_key, get_json};
use crate::helpers::{OWNER, TestApp, location, text};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_card_asks_for_the_shop_and_the_connection_keeps_it_for_its_api() {
    let stub = MockServer::start().await;
    let token_url = format!("{}/admin/oauth/access_token", stub.uri());
    let app = TestApp::spawn_with(|s| {
        let c = s.connectors.entry("shopify".into()).or_default();
        c.client_id = Some("shop-client".into());
        c.client_secret = Some(secrecy::SecretString::from("shop-secret"));
        c.token_url = Some(token_url);
        c.allow_insecure_endpoints = true;
    })
    .await;
    Mock::given(method("POST"))
        .and(path("/admin/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "shpua_0123456789", "scope": "read_orders", "expires_in": 86399,
            "refresh_token": "shprt_0123456789", "refresh_token_expires_in": 7776000
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let owner = app.signed_in(OWNER).await;
    let asked = owner
        .post(app.url("/apps/1/chat"))
        .form(&[("message", "When a new order comes in on Shopify, create a task")])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 303);
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("name=\"typed.shop\""), "the card asks for the shop");
    assert!(chat.contains("Your store&#39;s myshopify.com name"), "in the catalog's words");

    let refused = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "shopify"), ("typed.shop", "evil.example/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400, "a value that is not a shop name is refused before anything starts");

    let started = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "shopify"), ("typed.shop", "acme-store")])
        .send()
        .await
        .unwrap();
    let authorize = location(&started);
    assert!(authorize.starts_with("https://acme-store.myshopify.com/admin/oauth/authorize?"), "{authorize}");
    let state = url::Url::parse(&authorize).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let back = owner
        .get(app.url("/oauth/callback"))
        .query(&[("state", state.as_str()), ("code", "c-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303, "{:?}", back.text().await);

    let key = app_key(&app).await;
    let shop = get_json(&app.url("/api/v1/apps/1/connections/shopify?include=token"), &key).await;
    assert_eq!(shop["config"]["shop"], "acme-store");
    assert_eq!(shop["config"]["api_base_url"], "https://acme-store.myshopify.com/admin/api/2026-04");
}

#[tokio::test]
async fn shopify_calls_carry_the_token_in_shopifys_own_header_and_never_the_callers() {
    let stub = MockServer::start().await;
    let base = stub.uri();
    let app = TestApp::spawn_with(|s| {
        let c = s.connectors.entry("shopify".into()).or_default();
        c.api_base_url = Some(base);
        c.allow_insecure_endpoints = true;
    })
    .await;
    super::fixture::connect(&app, "shopify", &super::fixture::all_scopes(&app, "shopify")).await;
    let token = super::fixture::stored_token(&app, "shopify").await;
    Mock::given(method("GET"))
        .and(path("/orders.json"))
        .and(wiremock::matchers::header("x-shopify-access-token", token.as_str()))
        .and(|req: &wiremock::Request| !req.headers.contains_key("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"orders": []})))
        .expect(1)
        .mount(&stub)
        .await;
    let key = app_key(&app).await;
    let answer = reqwest::Client::new()
        .get(app.url("/api/v1/apps/1/proxy/shopify/orders.json"))
        .bearer_auth(&key)
        .header("x-shopify-access-token", "the-callers-own")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}
