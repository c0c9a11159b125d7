//! Outside the sandbox, against a stub standing where the provider's API is
//! (`connectors.<id>.api_base_url`): the test call and the actions carry the credentials
//! exactly as each provider documents them.

use crate::actions::fixture::{app_key, run};
use crate::helpers::{OWNER, TODO_APP, TestApp};
use serde_json::json;
use std::collections::HashMap;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn app_with_stub(connector: &str, stub: &MockServer) -> TestApp {
    let base = stub.uri();
    TestApp::spawn_with(|s| {
        let c = s.connectors.entry(connector.into()).or_default();
        c.api_base_url = Some(base);
        c.allow_insecure_endpoints = true;
    })
    .await
}

async fn connect(app: &TestApp, connector: &str, fields: &[(&str, &str)]) -> Result<String, String> {
    let form: HashMap<String, String> = fields.iter().map(|(k, v)| (format!("cred.{k}"), (*v).to_owned())).collect();
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap();
    let c = app.state.catalog.get(connector).unwrap();
    patchbay::credentials::connect(&app.state.oauth, TODO_APP, ada.id, c, &form)
        .await
        .map(|done| done.account)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn twilio_is_sent_http_basic_with_the_account_sid_and_auth_token() {
    let stub = MockServer::start().await;
    let app = app_with_stub("twilio", &stub).await;
    // "ACx:tok" in base64, as Twilio's docs build the header.
    let basic = "Basic QUN4OnRvaw==";
    Mock::given(method("GET"))
        .and(path("/2010-04-01/Accounts/ACx.json"))
        .and(header("authorization", basic))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": "ACx", "friendly_name": "Acme SMS"})))
        .mount(&stub)
        .await;
    Mock::given(method("GET"))
        .and(path("/2010-04-01/Accounts/ACx.json"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"code": 20003, "message": "Authenticate"})))
        .mount(&stub)
        .await;
    let refused = connect(&app, "twilio", &[("account_sid", "ACx"), ("auth_token", "nope")]).await.unwrap_err();
    assert_eq!(refused, "Twilio did not accept this account SID and auth token: Authenticate. Nothing was stored.");
    assert_eq!(connect(&app, "twilio", &[("account_sid", "ACx"), ("auth_token", "tok")]).await.unwrap(), "Acme SMS");

    Mock::given(method("POST"))
        .and(path("/2010-04-01/Accounts/ACx/Messages.json"))
        .and(header("authorization", basic))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SM1", "status": "queued"})))
        .expect(1)
        .mount(&stub)
        .await;
    let key = app_key(&app).await;
    let (status, answer) =
        run(&app, &key, "twilio.send_sms", json!({"to": "+14155550100", "from": "+14155550199", "body": "hi"})).await;
    assert_eq!((status, answer["output"]["sid"].as_str()), (200, Some("SM1")), "{answer}");
}

#[tokio::test]
async fn wix_is_sent_the_key_alone_with_the_site_in_its_own_header() {
    let stub = MockServer::start().await;
    let app = app_with_stub("wix", &stub).await;
    Mock::given(method("GET"))
        .and(path("/contacts/v4/contacts"))
        .and(header("authorization", "IST.key"))
        .and(header("wix-site-id", "site-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"contacts": []})))
        .expect(1)
        .mount(&stub)
        .await;
    let account = connect(&app, "wix", &[("api_key", "IST.key"), ("site_id", "site-1")]).await.unwrap();
    assert_eq!(account, "your Wix account");
}
