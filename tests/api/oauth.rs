//! Connecting a shared connector over OAuth 2.0, against a real authorization server
//! (panva's oidc-provider): PKCE, state, denial, replay, tampering, another person's state,
//! token endpoint failures, and tokens that never appear in plain text.

use crate::helpers::{EDITOR, OWNER, TODO_APP, TestApp, location, text};
use crate::peers::{self, CLIENT_ID, CLIENT_SECRET, OidcPeer};
use patchbay::config::{ConnectorSettings, Settings};
use patchbay::connections::{TokenCipher, TokenSet};
use secrecy::SecretString;
use serde_json::json;

pub const GMAIL_SEND: &str = "https://www.googleapis.com/auth/gmail.send";

pub struct Setup {
    pub app: TestApp,
    pub peer: OidcPeer,
    pub owner: reqwest::Client,
    pub message_id: i64,
}

/// Gmail pointed at the peer, and a chat turn whose card asks for Gmail.
pub async fn setup(adjust: impl FnOnce(&mut Settings)) -> Option<Setup> {
    setup_with_peer_env(&[], adjust).await
}

pub async fn setup_with_peer_env(peer_env: &[(&str, String)], adjust: impl FnOnce(&mut Settings)) -> Option<Setup> {
    let port = peers::free_port();
    let peer = OidcPeer::start(&format!("http://127.0.0.1:{port}/oauth/callback"), &[GMAIL_SEND], peer_env)?;
    let base = peer.base.clone();
    let app = TestApp::spawn_with(|s| {
        s.bind = format!("127.0.0.1:{port}").parse().unwrap();
        s.connectors.insert("gmail".into(), peer_settings(&base));
        adjust(s);
    })
    .await;
    let owner = app.signed_in(OWNER).await;
    let message_id = ask_for_gmail(&app, &owner).await;
    Some(Setup { app, peer, owner, message_id })
}

pub fn peer_settings(base: &str) -> ConnectorSettings {
    ConnectorSettings {
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(SecretString::from(CLIENT_SECRET)),
        authorization_url: Some(format!("{base}/auth")),
        token_url: Some(format!("{base}/token")),
        revocation_url: Some(format!("{base}/token/revocation")),
        userinfo_url: Some(format!("{base}/me")),
        allow_insecure_endpoints: true,
        ..ConnectorSettings::default()
    }
}

pub async fn ask_for_gmail(app: &TestApp, client: &reqwest::Client) -> i64 {
    let resp = client
        .post(app.url("/apps/1/chat"))
        .form(&[("message", "Send me a daily email with my to-do list using Gmail")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    app.store.messages_of_app(TODO_APP).await.unwrap().last().unwrap().id
}

impl Setup {
    /// Presses "Connect to Gmail" on the card; returns the provider URL it redirects to.
    pub async fn connect(&self, client: &reqwest::Client) -> String {
        let resp = client
            .post(self.app.url("/apps/1/connect"))
            .form(&[("connector", "gmail"), ("message_id", &self.message_id.to_string()), ("kind", "shared")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap_or_default());
        location(&resp)
    }

    pub async fn chat(&self) -> String {
        text(self.owner.get(self.app.url("/apps/1/chat")).send().await.unwrap(), 200).await
    }

    pub async fn nothing_stored(&self) {
        assert!(self.app.store.connections_of_app(TODO_APP).await.unwrap().is_empty(), "no connection may be stored");
    }
}

#[tokio::test]
async fn connecting_gmail_runs_the_whole_flow_with_pkce() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    assert!(authorize.starts_with(&s.peer.base), "{authorize}");
    for param in ["code_challenge_method=S256", "state=", "access_type=offline", "prompt=consent"] {
        assert!(authorize.contains(param), "{param} missing in {authorize}");
    }
    assert!(!authorize.contains("code_verifier"), "the verifier never reaches the browser");

    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    assert!(callback.starts_with(&s.app.url("/oauth/callback")), "{callback}");
    let back = s.owner.get(&callback).send().await.unwrap();
    assert_eq!(back.status(), 303);
    assert_eq!(location(&back), format!("/apps/1/chat#card-{}-gmail", s.message_id));

    let stats = s.peer.stats().await;
    assert_eq!(stats["last_authorization"]["code_challenge_method"], "S256");
    assert!(
        stats["last_authorization"]["code_challenge"].as_str().is_some_and(|c| c.len() >= 43),
        "the server saw the challenge"
    );
    assert_eq!(stats["token_requests"]["authorization_code"], 1);

    let chat = s.chat().await;
    assert!(chat.contains("Connected as alice@example.com"), "the card says who is connected");
    assert!(chat.contains("Connected Gmail as alice@example.com."), "the chat turn continues");
    let conn = s.app.store.shared_connection(TODO_APP, "gmail").await.unwrap().unwrap();
    assert_eq!(conn.account.as_deref(), Some("alice@example.com"));
    assert!(conn.granted_scopes().unwrap().contains(&GMAIL_SEND.to_owned()));
    assert_eq!(conn.status, "connected");
    assert!(conn.expires_at.is_some());
}

#[tokio::test]
async fn the_stored_row_holds_no_plaintext_token() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.owner.get(&callback).send().await.unwrap();

    // Read the raw row with a connection of our own, as an attacker with the file would.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&patchbay::store::Store::sqlite_url(s.app.dir.path())).await.unwrap();
    let (sealed,): (Vec<u8>,) = sqlx::query_as("SELECT sealed_tokens FROM connections WHERE connector = 'gmail'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let cipher = TokenCipher::load_or_create(None, &[], s.app.dir.path()).unwrap();
    let tokens = TokenSet::open(&sealed, &cipher, TODO_APP, "gmail").unwrap();
    let me = reqwest::Client::new()
        .get(format!("{}/me", s.peer.base))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the sealed token is the real one");
    let refresh = tokens.refresh_token.clone().expect("a refresh token");
    for secret in [&tokens.access_token, &refresh] {
        assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_bytes()));
        for file in ["patchbay.db", "patchbay.db-wal"] {
            let bytes = std::fs::read(s.app.dir.path().join(file)).unwrap_or_default();
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{file} holds a plaintext token");
        }
    }
    let chat = s.chat().await;
    assert!(!chat.contains(&tokens.access_token) && !chat.contains(&refresh), "no token on pages");
}

#[tokio::test]
async fn denying_at_the_provider_stores_nothing_and_the_card_can_be_tried_again() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::deny(&s.owner, &authorize).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    assert_eq!(s.owner.get(&callback).send().await.unwrap().status(), 303);
    s.nothing_stored().await;
    let chat = s.chat().await;
    assert!(chat.contains("Ada Owner cancelled at Gmail. Nothing was connected."), "the card says who");
    assert!(chat.contains("Connect to Gmail"), "the card can be tried again");
    s.connect(&s.owner).await;
}

#[tokio::test]
async fn a_replayed_or_tampered_state_is_refused() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;

    let tampered = callback.replace("state=", "state=0");
    let page = text(s.owner.get(&tampered).send().await.unwrap(), 400).await;
    assert!(page.contains("unknown or was already used"));
    s.nothing_stored().await;

    assert_eq!(s.owner.get(&callback).send().await.unwrap().status(), 303);
    let page = text(s.owner.get(&callback).send().await.unwrap(), 400).await;
    assert!(page.contains("unknown or was already used"), "a state is single use");
    assert_eq!(s.app.store.connections_of_app(TODO_APP).await.unwrap().len(), 1);
    let page = text(s.owner.get(s.app.url("/oauth/callback?code=abc")).send().await.unwrap(), 400).await;
    assert!(page.contains("no state"));
}

#[tokio::test]
async fn a_state_begun_by_another_user_is_refused() {
    let Some(s) = setup(|_| {}).await else { return };
    let editor = s.app.signed_in(EDITOR).await;
    let authorize = s.connect(&editor).await;
    let callback = peers::approve(&editor, &authorize, "eddie@example.com").await;
    let page = text(s.owner.get(&callback).send().await.unwrap(), 403).await;
    assert!(page.contains("started by someone else"));
    s.nothing_stored().await;
}

#[tokio::test]
async fn a_wrong_code_is_refused_in_plain_words() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    let url = reqwest::Url::parse(&callback).unwrap();
    let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    s.owner.get(s.app.url(&format!("/oauth/callback?code=not-a-real-code&state={state}"))).send().await.unwrap();
    s.nothing_stored().await;
    assert!(s.chat().await.contains("Gmail did not accept the authorization"));
}

#[tokio::test]
async fn a_failing_token_endpoint_stores_nothing() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.peer.control(json!("error500")).await;
    assert_eq!(s.owner.get(&callback).send().await.unwrap().status(), 303);
    s.nothing_stored().await;
    let chat = s.chat().await;
    assert!(chat.contains("Gmail had a problem"), "the chat says what happened");
    assert!(chat.contains("Connect to Gmail"));
}

#[tokio::test]
async fn a_token_endpoint_that_stalls_times_out() {
    let Some(s) = setup(|settings| settings.tokens.http_timeout_ms = 700).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.peer.control(json!({ "delay_ms": 5000 })).await;
    let started = std::time::Instant::now();
    assert_eq!(s.owner.get(&callback).send().await.unwrap().status(), 303);
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the timeout applies");
    s.nothing_stored().await;
    assert!(s.chat().await.contains("Gmail did not answer in time"));
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&patchbay::store::Store::sqlite_url(s.app.dir.path())).await.unwrap();
    sqlx::query("UPDATE pending_authorizations SET expires_at = 0").execute(&pool).await.unwrap();
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.owner.get(&callback).send().await.unwrap();
    s.nothing_stored().await;
    assert!(s.chat().await.contains("expired"));
}

#[tokio::test]
async fn a_second_connect_is_refused_with_a_pointer_to_reconnect() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.owner.get(&callback).send().await.unwrap();
    let resp = s
        .owner
        .post(s.app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &s.message_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let chat = s.chat().await;
    assert!(
        chat.contains("already has a shared Gmail connection (alice@example.com). Use Reconnect or Switch account"),
        "{chat}"
    );
    assert_eq!(s.app.store.connections_of_app(TODO_APP).await.unwrap().len(), 1);
}

/// Sign-ins for one tool that finish at the same moment (two tabs, two editors) all end
/// connected: a grant that finds the connection made a moment earlier goes to it. (Eight
/// at once: when a late grant was refused, about half the runs of this test caught it.)
#[tokio::test]
async fn sign_ins_for_one_tool_that_finish_together_all_connect() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let mut callbacks = Vec::new();
    for _ in 0..8 {
        let resp = owner
            .post(app.url("/apps/1/connect"))
            .form(&[("connector", "gmail"), ("purpose", "reconnect")])
            .send()
            .await
            .unwrap();
        let consent = text(owner.get(location(&resp)).send().await.unwrap(), 200).await;
        let allow = crate::sandbox::drive::decide(&owner, &app, None, &consent, "allow", &[]).await;
        callbacks.push(location(&allow));
    }
    let answers = futures::future::join_all(callbacks.iter().map(|url| owner.get(url).send())).await;
    for answer in answers {
        let answer = answer.unwrap();
        assert_eq!(answer.status(), 303, "no sign-in may be thrown away: {}", answer.text().await.unwrap_or_default());
    }
    let connections = app.store.connections_of_app(TODO_APP).await.unwrap();
    assert_eq!(connections.len(), 1, "one shared Gmail connection");
    assert_eq!(connections[0].status, "connected");
}

/// With no credentials configured, development uses the built-in sandbox, through exactly
/// the same client code: PKCE, state, token exchange, userinfo, sealed storage.
#[tokio::test]
async fn the_same_flow_runs_through_the_built_in_sandbox() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let message_id = ask_for_gmail(&app, &owner).await;
    let resp = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &message_id.to_string())])
        .send()
        .await
        .unwrap();
    let authorize = location(&resp);
    assert!(authorize.starts_with(&app.url("/sandbox/oauth/authorize?")), "{authorize}");
    assert!(authorize.contains("code_challenge_method=S256") && authorize.contains("client_id=sandbox-gmail"));
    let consent = text(owner.get(&authorize).send().await.unwrap(), 200).await;
    assert!(
        consent.contains("SANDBOX")
            && consent.contains("Sandbox Gmail")
            && consent.contains("Send email on your behalf")
    );
    let allow = crate::sandbox::drive::decide(&owner, &app, None, &consent, "allow", &[]).await;
    let callback = location(&allow);
    assert!(callback.starts_with(&app.url("/oauth/callback?")), "{callback}");
    assert_eq!(owner.get(&callback).send().await.unwrap().status(), 303);
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Connected as ada@example.com"), "the card says who is connected");
    let conn = app.store.shared_connection(TODO_APP, "gmail").await.unwrap().unwrap();
    assert_eq!(conn.account.as_deref(), Some("ada@example.com"));
    assert!(conn.granted_scopes().unwrap().contains(&GMAIL_SEND.to_owned()));
    let tokens = TokenSet::open(conn.sealed_tokens.as_deref().unwrap(), &app.state.cipher, TODO_APP, "gmail").unwrap();
    assert!(tokens.refresh_token.is_some());
}
