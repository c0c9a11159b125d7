//! Trello over OAuth 1.0a, end to end against the sandbox playing Trello: the card's
//! Connect button, the three legs with HMAC-SHA1 signatures the sandbox checks, the chat
//! saying who was connected, actions signed with the stored token credentials, and
//! disconnect deleting the token at the provider. Each check runs on SQLite and on
//! PostgreSQL.

use crate::actions::fixture::{app_key, outbox, run};
use crate::helpers::{OWNER, TODO_APP, TestApp, defaults, location, text};
use crate::sandbox::drive::{hidden_fields, unescape};
use patchbay::config::ConnectorSettings;
use patchbay::connections::TokenSet;
use patchbay::oauth::oauth1;
use patchbay::oauth::signature::{self, Credentials};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

const ASK: &str = "Create a Trello card on the To Do list for every new task";

/// Token credentials for `connector` from the sandbox, taken the way any OAuth 1.0a client
/// takes them, for tests that need a connection without the card.
pub async fn sandbox_tokens(app: &TestApp, connector: &str, scopes: &[String]) -> TokenSet {
    let provider = app.state.oauth.provider(connector).unwrap();
    let http = &app.state.oauth.http;
    let temporary = oauth1::request_token(http, &provider, &app.state.settings.redirect_uri()).await.unwrap();
    let consent_url = oauth1::authorize_url(&provider, &temporary, scopes, false).unwrap();
    let browser = TestApp::client();
    let consent = text(browser.get(&consent_url).send().await.unwrap(), 200).await;
    let back = query_of(&location(&press(&browser, app, &consent, "allow").await));
    oauth1::access_token(http, &provider, &temporary, &back["oauth_verifier"]).await.unwrap().tokens
}

/// Presses Allow or Cancel on the sandbox's consent form, with the account it offers first.
async fn press(http: &reqwest::Client, app: &TestApp, consent: &str, decision: &str) -> reqwest::Response {
    let mut form = hidden_fields(consent);
    form.push(("decision".into(), decision.into()));
    let checked = regex::Regex::new(r#"name="account" value="([^"]+)" checked"#).unwrap();
    if let Some(c) = checked.captures(consent) {
        form.push(("account".into(), unescape(&c[1])));
    }
    let response = http.post(app.url("/sandbox/oauth1/authorize")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "the consent form redirects back");
    response
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

/// Asks for Trello in the chat and presses its card's Connect button: the sandbox's
/// consent screen URL.
async fn press_connect(app: &TestApp, owner: &reqwest::Client) -> String {
    let asked = owner.post(app.url("/apps/1/chat")).form(&[("message", ASK)]).send().await.unwrap();
    assert_eq!(asked.status(), 303);
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Connect to Trello"), "the card offers to connect, not 'not supported yet'");
    let message_id = app.store.messages_of_app(TODO_APP).await.unwrap().last().unwrap().id;
    let resp = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "trello"), ("message_id", &message_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap_or_default());
    location(&resp)
}

/// Connect, consent and Allow: the callback URL the sandbox sends the browser to.
async fn consent_from_card(app: &TestApp, owner: &reqwest::Client) -> String {
    let authorize = press_connect(app, owner).await;
    assert!(authorize.starts_with(&app.url("/sandbox/oauth1/authorize?oauth_token=sbx_tmp_")), "{authorize}");
    let asked = query_of(&authorize);
    assert_eq!((asked["scope"].as_str(), asked["expiration"].as_str()), ("read,write", "never"), "{authorize}");
    let consent = text(owner.get(&authorize).send().await.unwrap(), 200).await;
    assert!(consent.contains("Sandbox Trello") && consent.contains("Create, move and comment on cards"));
    let callback = location(&press(owner, app, &consent, "allow").await);
    assert!(callback.starts_with(&app.url("/oauth/callback?state=")), "{callback}");
    assert!(callback.contains("oauth_verifier=sbx_ver_"), "{callback}");
    callback
}

async fn connected(app: &TestApp) -> (reqwest::Client, TokenSet) {
    let owner = app.signed_in(OWNER).await;
    let callback = consent_from_card(app, &owner).await;
    assert_eq!(owner.get(&callback).send().await.unwrap().status(), 303);
    let row = app.store.shared_connection(TODO_APP, "trello").await.unwrap().expect("a Trello connection");
    let tokens = TokenSet::open(row.sealed_tokens.as_deref().unwrap(), &app.state.cipher, TODO_APP, "trello").unwrap();
    (owner, tokens)
}

async fn trello_connects_from_its_card_and_the_chat_says_who_it_is(app: TestApp) {
    let (owner, tokens) = connected(&app).await;
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Connected Trello as ada."), "the chat names the Trello account");
    let row = app.store.shared_connection(TODO_APP, "trello").await.unwrap().unwrap();
    assert_eq!((row.account.as_deref(), row.status.as_str()), (Some("ada"), "connected"));
    assert_eq!(row.expires_at, None, "Trello tokens asked with expiration=never do not expire");
    assert!(tokens.token_secret.as_deref().is_some_and(|s| s.starts_with("sbx_ats_")), "the token secret is kept");
    assert!(tokens.refresh_token.is_none(), "OAuth 1.0a has nothing to refresh with");
    assert!(!format!("{tokens:?}").contains(tokens.token_secret.as_deref().unwrap()), "Debug hides the secret");
}

async fn reconnecting_trello_from_my_integrations_replaces_the_token_in_place(app: TestApp) {
    let (owner, first) = connected(&app).await;
    let before = app.store.shared_connection(TODO_APP, "trello").await.unwrap().unwrap();
    let resp = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "trello"), ("purpose", "reconnect")])
        .send()
        .await
        .unwrap();
    let authorize = location(&resp);
    assert!(authorize.starts_with(&app.url("/sandbox/oauth1/authorize?")), "{authorize}");
    let consent = text(owner.get(&authorize).send().await.unwrap(), 200).await;
    let callback = location(&press(&owner, &app, &consent, "allow").await);
    let done = owner.get(&callback).send().await.unwrap();
    assert_eq!(location(&done), "/apps/1/integrations?done=trello");
    let after = app.store.shared_connection(TODO_APP, "trello").await.unwrap().unwrap();
    assert_eq!((after.id, after.account.as_deref()), (before.id, Some("ada")), "the same connection, same account");
    let second =
        TokenSet::open(after.sealed_tokens.as_deref().unwrap(), &app.state.cipher, TODO_APP, "trello").unwrap();
    assert_ne!(second.access_token, first.access_token, "new token credentials replace the old ones");
    let key = app_key(&app).await;
    let (status, listed) = run(&app, &key, "trello.list_tasks", json!({"project": "list-1"})).await;
    assert_eq!((status, &listed["ok"]), (200, &json!(true)), "the new token works: {listed}");
}

async fn the_same_callback_is_refused_the_second_time(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let callback = consent_from_card(&app, &owner).await;
    assert_eq!(owner.get(&callback).send().await.unwrap().status(), 303);
    let again = text(owner.get(&callback).send().await.unwrap(), 400).await;
    assert!(again.contains("unknown or was already used"), "a replayed sign-in link is refused in words");
}

async fn cancelling_at_trello_connects_nothing_and_says_so(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let authorize = press_connect(&app, &owner).await;
    let consent = text(owner.get(&authorize).send().await.unwrap(), 200).await;
    let back = location(&press(&owner, &app, &consent, "cancel").await);
    assert!(query_of(&back).contains_key("denied"), "{back}");
    assert_eq!(owner.get(&back).send().await.unwrap().status(), 303);
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("cancelled at Sandbox Trello. Nothing was connected."), "the chat says who cancelled");
    assert!(app.store.shared_connection(TODO_APP, "trello").await.unwrap().is_none());
}

async fn requests_signed_wrongly_are_refused_by_the_sandbox_with_401_and_the_reason(app: TestApp) {
    let url = url::Url::parse(&app.url("/sandbox/oauth1/request_token")).unwrap();
    let callback = app.state.settings.redirect_uri();
    let send = |header: String| {
        let url = url.clone();
        async move {
            let resp = reqwest::Client::new().post(url).header("authorization", header).send().await.unwrap();
            let challenge = resp.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
            (resp.status().as_u16(), challenge, resp.text().await.unwrap())
        }
    };
    let creds =
        |secret| Credentials { consumer_key: "sandbox-trello", consumer_secret: secret, token: None, token_secret: "" };
    let good = signature::authorization(
        "POST",
        &url,
        &[],
        creds(patchbay::sandbox::client_secret()),
        &[("oauth_callback", &callback)],
    );
    let (status, _, body) = send(good.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("oauth_token=sbx_tmp_") && body.contains("oauth_callback_confirmed=true"), "{body}");
    let (status, _, body) = send(good.clone()).await;
    assert_eq!((status, body.as_str()), (401, "the nonce was already used: a replayed request"));

    let wrong_secret =
        signature::authorization("POST", &url, &[], creds("not-the-secret"), &[("oauth_callback", &callback)]);
    let (status, challenge, body) = send(wrong_secret).await;
    assert_eq!((status, body.as_str()), (401, "invalid signature"));
    assert!(challenge.is_some_and(|c| c.starts_with("OAuth")), "a 401 says how to authenticate");

    // Signed for one callback, sent with another: the signature no longer fits.
    let elsewhere = format!("{callback}?state=other");
    let tampered = good.replace(&signature::encode(&callback), &signature::encode(&elsewhere));
    assert_ne!(tampered, good);
    assert_eq!(send(tampered).await.2, "invalid signature");

    let unknown = signature::authorization(
        "POST",
        &url,
        &[],
        Credentials { consumer_key: "sandbox-nope", ..creds(patchbay::sandbox::client_secret()) },
        &[("oauth_callback", &callback)],
    );
    assert_eq!(send(unknown).await.2, "invalid key");
}

async fn a_trello_card_is_created_and_commented_on_with_the_stored_token(app: TestApp) {
    connected(&app).await;
    let key = app_key(&app).await;
    let inputs = json!({"project": "list-todo", "title": "Call Ada", "description": "About the invoice"});
    let (status, created) = run(&app, &key, "trello.create_task", inputs).await;
    assert_eq!((status, &created["ok"]), (200, &json!(true)), "{created}");
    let card = created["output"]["card_id"].as_str().expect("the new card's id").to_owned();
    assert!(created["output"]["link"].as_str().is_some_and(|l| l.starts_with("https://trello.com/c/")));
    let (status, comment) = run(&app, &key, "trello.add_comment", json!({"card_id": card, "text": "Done"})).await;
    assert_eq!((status, &comment["ok"]), (200, &json!(true)), "{comment}");
    let calls = outbox(&app).await;
    let line = |op: &str| {
        calls
            .iter()
            .find(|c| c["operation"] == op)
            .map(|c| (c["summary"].as_str().unwrap_or("").to_owned(), c["status"].clone()))
    };
    assert_eq!(line("create_task"), Some(("Trello: card 'Call Ada' on list list-todo".into(), json!(200))));
    assert_eq!(line("add_comment"), Some((format!("Trello: commented on card {card}: Done"), json!(200))));
    // The proxy signs the caller's request too, query included.
    let proxied = reqwest::Client::new()
        .get(app.url("/api/v1/apps/1/proxy/trello/lists/list-todo/cards?fields=name"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 200, "the sandbox accepts the proxy's signature");
    let cards: Value = proxied.json().await.unwrap();
    assert_eq!(cards[0]["idList"], "list-todo", "{cards}");
}

async fn disconnecting_trello_deletes_its_token_at_the_sandbox(app: TestApp) {
    let (owner, tokens) = connected(&app).await;
    let hash = patchbay::digest::sha256_hex(&tokens.access_token);
    assert!(app.store.sandbox_access(&hash, patchbay::store::now()).await.unwrap().is_some());
    let row = app.store.shared_connection(TODO_APP, "trello").await.unwrap().unwrap();
    let resp = owner.post(app.url(&format!("/apps/1/integrations/{}/disconnect", row.id))).send().await.unwrap();
    assert_eq!(location(&resp), "/apps/1/integrations?notice=disconnected&c=trello", "the sandbox confirmed");
    let calls = outbox(&app).await;
    let deleted = calls.iter().find(|c| c["method"] == "DELETE").expect("a DELETE reached the sandbox");
    assert_eq!(deleted["path"], Value::String(format!("/tokens/{}", tokens.access_token)));
    assert_eq!((deleted["summary"].as_str(), &deleted["status"]), (Some("Trello: revoked the token"), &json!(200)));
    assert!(app.store.sandbox_access(&hash, patchbay::store::now()).await.unwrap().is_none(), "the token is gone");
}

/// A setting, not the database: SQLite alone is enough.
#[tokio::test]
async fn a_wrong_consumer_secret_in_the_settings_is_told_in_the_chat() {
    let port = crate::peers::free_port();
    let app = TestApp::spawn_with(|s| {
        s.bind = format!("127.0.0.1:{port}").parse().unwrap();
        let sandbox = patchbay::sandbox::oauth1_endpoints(&format!("http://127.0.0.1:{port}"));
        s.connectors.insert(
            "trello".into(),
            ConnectorSettings {
                client_id: Some("sandbox-trello".into()),
                client_secret: Some(secrecy::SecretString::from("not-the-secret")),
                request_token_url: Some(sandbox.request_token_url),
                authorization_url: Some(sandbox.authorization_url),
                token_url: Some(sandbox.access_token_url),
                allow_insecure_endpoints: true,
                ..ConnectorSettings::default()
            },
        );
    })
    .await;
    let owner = app.signed_in(OWNER).await;
    let back = press_connect(&app, &owner).await;
    assert!(back.starts_with("/apps/1/chat"), "nothing to consent to: back to the chat ({back})");
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    let said = crate::sandbox::drive::unescape(&chat);
    assert!(
        said.contains("Trello refused patchbay's client credentials; an administrator needs to check them"),
        "the refusal is said in words: {}",
        said.find("refused").map_or("", |i| &said[i.saturating_sub(200)..(i + 200).min(said.len())])
    );
    assert!(app.store.shared_connection(TODO_APP, "trello").await.unwrap().is_none());
}

on_both_servers!(
    defaults;
    trello_connects_from_its_card_and_the_chat_says_who_it_is,
    reconnecting_trello_from_my_integrations_replaces_the_token_in_place,
    the_same_callback_is_refused_the_second_time,
    cancelling_at_trello_connects_nothing_and_says_so,
    requests_signed_wrongly_are_refused_by_the_sandbox_with_401_and_the_reason,
    a_trello_card_is_created_and_commented_on_with_the_stored_token,
    disconnecting_trello_deletes_its_token_at_the_sandbox,
);

/// What a builder does with a mouse: Connect on Trello's card, Allow on the sandbox's
/// consent screen, and the card turns connected.
#[tokio::test]
async fn a_builder_connects_trello_in_chromium_through_the_sandbox_consent_screen() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let Some(d) = crate::browser::Driver::start().await else { return };
    crate::browser::sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url("/apps/1/chat")).await.unwrap();
    d.type_into("textarea#message", ASK).await;
    d.press("Send").await;
    let card = d.wait_for(Locator::Css("section.card[id$='-trello']")).await;
    card.find(Locator::XPath(".//button[normalize-space()='Connect to Trello']")).await.unwrap().click().await.unwrap();
    d.wait_for(Locator::XPath("//button[normalize-space()='Allow']")).await;
    let consent = d.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(consent.contains("Sandbox Trello") && consent.contains("See your Trello boards"), "{consent}");
    d.screenshot("trello-consent.png").await;
    d.press("Allow").await;
    let connected = d.wait_for(Locator::Css("section.card-connected")).await;
    assert!(connected.text().await.unwrap().contains("Connected as ada"), "the card says who is connected");
    d.screenshot("trello-connected.png").await;
}
