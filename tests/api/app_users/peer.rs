//! An app user connecting against a real authorization server (oidc-provider), with the
//! app's own OAuth client: the server's client is never used for them.

use super::{get, link_for, post};
use crate::actions::fixture::app_key;
use crate::helpers::{TestApp, location};
use crate::oauth::{GMAIL_SEND, peer_settings};
use crate::peers::{self, CLIENT_ID, CLIENT_SECRET, OidcPeer};
use serde_json::json;

const APP_CLIENT: &str = "todo-app-own-client";
const APP_SECRET: &str = "todo-app-own-secret";

#[tokio::test]
async fn an_app_user_connects_through_the_apps_own_client_at_a_real_provider() {
    let port = peers::free_port();
    let redirect = format!("http://127.0.0.1:{port}/oauth/callback");
    let clients = json!([
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect]},
        {"client_id": APP_CLIENT, "client_secret": APP_SECRET, "redirect_uris": [redirect]},
    ]);
    let Some(peer) = OidcPeer::start(&redirect, &[GMAIL_SEND], &[("CLIENTS", clients.to_string())]) else { return };
    let base = peer.base.clone();
    let app = TestApp::spawn_with(|s| {
        s.bind = format!("127.0.0.1:{port}").parse().unwrap();
        s.connectors.insert("gmail".into(), peer_settings(&base));
    })
    .await;
    let key = app_key(&app).await;
    let body = json!({"connector": "gmail", "client_id": APP_CLIENT, "client_secret": APP_SECRET});
    let (status, answer) = post(&app, &key, "app-user-connectors", body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["own_client"].as_bool(), answer["client_id"].as_str()), (Some(true), Some(APP_CLIENT)));

    let browser = app.browser();
    let link = link_for(&app, &key, "person-1", None).await;
    let go = browser.post(&link).form(&[("choice", "continue")]).send().await.unwrap();
    let authorize = location(&go);
    assert!(authorize.contains(&format!("client_id={APP_CLIENT}")), "{authorize}");
    let back = peers::approve(&browser, &authorize, "kim@example.com").await;
    let landed = browser.get(&back).send().await.unwrap();
    let page = landed.text().await.unwrap();
    assert!(page.contains("Connected Gmail"), "{page}");

    let (status, mine) = get(&app, &key, "app-users/person-1/connections/gmail?include=token").await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["kind"], "app_user");
    let token = mine["access_token"].as_str().unwrap();
    let me = reqwest::Client::new().get(format!("{base}/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(me.status(), 200, "the provider accepts the person's token");
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["email"], "kim@example.com");

    // The same state cannot be used twice.
    let replay = browser.get(&back).send().await.unwrap();
    assert_ne!(replay.status(), 200);
}
