//! My integrations and tokens that stay alive, against the real authorization server:
//! refresh and rotation, revocation noticed, one refresh for many readers (and for two
//! servers on one PostgreSQL), disconnect revokes, a different account is not swapped in
//! silently, app users cannot act, and more permissions ask only for the difference.

use crate::helpers::{APP_USER, OWNER, TODO_APP, TestApp, location, text};
use crate::oauth::{GMAIL_SEND, Setup, ask_for_gmail, peer_settings, setup_with_peer_env};
use crate::peers::{self, CLIENT_ID, CLIENT_SECRET, OidcPeer};
use patchbay::connections::{TokenSet, UseError};
use patchbay::store::ConnectionRow;
use serde_json::json;

const GMAIL_READ: &str = "https://www.googleapis.com/auth/gmail.readonly";

async fn setup_expiring() -> Option<Setup> {
    setup_with_peer_env(&[], |_| {}).await
}

/// Moves the clock of one connection: issued an hour ago, expiring in a minute — inside
/// the 5-minute refresh margin.
async fn make_due(database_url: &str, id: i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(database_url).await.unwrap();
    let now = patchbay::store::now();
    sqlx::query("UPDATE connections SET issued_at = $1, expires_at = $2 WHERE id = $3")
        .bind(now - 3600)
        .bind(now + 60)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

fn sqlite_of(s: &Setup) -> String {
    patchbay::store::Store::sqlite_url(s.app.dir.path())
}

async fn connect_as(s: &Setup, email: &str) -> ConnectionRow {
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, email).await;
    assert_eq!(s.owner.get(&callback).send().await.unwrap().status(), 303);
    s.app.store.shared_connection(TODO_APP, "gmail").await.unwrap().expect("connected")
}

async fn connect_due(s: &Setup) -> ConnectionRow {
    let conn = connect_as(s, "alice@example.com").await;
    make_due(&sqlite_of(s), conn.id).await;
    conn
}

async fn stored_tokens(s: &Setup) -> TokenSet {
    let row = s.app.store.shared_connection(TODO_APP, "gmail").await.unwrap().unwrap();
    TokenSet::open(row.sealed_tokens.as_deref().unwrap(), &s.app.state.cipher, TODO_APP, "gmail").unwrap()
}

async fn peer_accepts(s: &Setup, access_token: &str) -> bool {
    let me = reqwest::Client::new().get(format!("{}/me", s.peer.base)).bearer_auth(access_token).send().await.unwrap();
    me.status() == 200
}

#[tokio::test]
async fn the_page_lists_each_connection_with_who_when_and_its_access() {
    let Some(s) = setup_with_peer_env(&[], |_| {}).await else { return };
    connect_as(&s, "alice@example.com").await;
    let page = text(s.owner.get(s.app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    for expected in [
        "<h2>Gmail</h2>",
        "alice@example.com",
        "Connected",
        "Ada Owner",
        "Last used",
        "View access",
        "Send email on your behalf",
        GMAIL_SEND,
        "Reconnect",
        "Switch account",
        "Disconnect",
        "Remove",
    ] {
        assert!(page.contains(expected), "missing {expected}");
    }
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_before_use_and_the_rotated_refresh_token_kept() {
    let Some(s) = setup_expiring().await else { return };
    let conn = connect_due(&s).await;
    let before = stored_tokens(&s).await;
    let tokens = s.app.state.connections.tokens(conn.id).await.expect("refreshed");
    assert_ne!(tokens.access_token, before.access_token, "a new access token");
    assert_ne!(tokens.refresh_token, before.refresh_token, "the provider rotated the refresh token");
    assert_eq!(stored_tokens(&s).await, tokens, "both are stored together");
    assert!(peer_accepts(&s, &tokens.access_token).await);
    // Only the stored, rotated refresh token can work now: a second refresh proves it was kept.
    make_due(&sqlite_of(&s), conn.id).await;
    let again = s.app.state.connections.tokens(conn.id).await.expect("refreshed again");
    assert!(peer_accepts(&s, &again.access_token).await);
    assert_eq!(s.peer.stats().await["token_requests"]["refresh_token"], 2);
    assert!(s.app.store.connection(conn.id).await.unwrap().unwrap().last_used_at.is_some());
}

#[tokio::test]
async fn fifty_concurrent_reads_during_expiry_cause_one_refresh() {
    let Some(s) = setup_expiring().await else { return };
    let conn = connect_due(&s).await;
    let reads = (0..50).map(|_| {
        let connections = s.app.state.connections.clone();
        tokio::spawn(async move { connections.tokens(conn.id).await.map(|t| t.access_token) })
    });
    let tokens: Vec<String> =
        futures::future::join_all(reads).await.into_iter().map(|r| r.unwrap().expect("a token")).collect();
    assert!(tokens.iter().all(|t| t == &tokens[0]), "everyone gets the same fresh token");
    assert_eq!(s.peer.stats().await["token_requests"]["refresh_token"], 1, "exactly one refresh reached the provider");
}

#[tokio::test]
async fn two_servers_on_one_postgres_still_refresh_once() {
    let Some(url) = crate::pg::fresh_postgres_url().await else { return };
    let port = peers::free_port();
    let Some(peer) = OidcPeer::start(&format!("http://127.0.0.1:{port}/oauth/callback"), &[GMAIL_SEND], &[]) else {
        return;
    };
    let key = secrecy::SecretString::from("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    let configure = |s: &mut patchbay::config::Settings, p: u16| {
        s.bind = format!("127.0.0.1:{p}").parse().unwrap();
        s.public_url = Some(format!("http://127.0.0.1:{port}"));
        s.database_url = Some(secrecy::SecretString::from(url.clone()));
        s.token_key = Some(key.clone());
        s.connectors.insert("gmail".into(), peer_settings(&peer.base));
    };
    let first = TestApp::spawn_with(|s| configure(s, port)).await;
    let second = TestApp::spawn_with(|s| configure(s, 0)).await;
    let owner = first.signed_in(OWNER).await;
    let message_id = ask_for_gmail(&first, &owner).await;
    let resp = owner
        .post(first.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &message_id.to_string())])
        .send()
        .await
        .unwrap();
    let callback = peers::approve(&owner, &location(&resp), "alice@example.com").await;
    owner.get(&callback).send().await.unwrap();
    let conn = first.store.shared_connection(TODO_APP, "gmail").await.unwrap().unwrap();
    make_due(&url, conn.id).await;

    let reads = (0..40).map(|i| {
        let connections = if i % 2 == 0 { first.state.connections.clone() } else { second.state.connections.clone() };
        tokio::spawn(async move { connections.tokens(conn.id).await.map(|t| t.access_token) })
    });
    let tokens: Vec<String> =
        futures::future::join_all(reads).await.into_iter().map(|r| r.unwrap().expect("a token")).collect();
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_eq!(peer.stats().await["token_requests"]["refresh_token"], 1, "one refresh across both servers");
}

#[tokio::test]
async fn a_revoked_refresh_token_turns_the_connection_revoked_on_the_page_and_in_the_chat() {
    let Some(s) = setup_expiring().await else { return };
    let conn = connect_due(&s).await;
    let tokens = stored_tokens(&s).await;
    let revoked = reqwest::Client::new()
        .post(format!("{}/token/revocation", s.peer.base))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("token", tokens.refresh_token.unwrap()), ("token_type_hint", "refresh_token".into())])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    match s.app.state.connections.tokens(conn.id).await {
        Err(UseError::Unusable { status, .. }) => assert_eq!(status, "Revoked"),
        other => panic!("expected revoked, got {other:?}"),
    }
    assert_eq!(s.app.store.connection(conn.id).await.unwrap().unwrap().status, "revoked");
    let page = text(s.owner.get(s.app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(page.contains("Revoked") && page.contains("refused the refresh token"));
    ask_for_gmail(&s.app, &s.owner).await;
    let chat = s.chat().await;
    assert!(chat.contains("Needs attention") && chat.contains("Reconnect Gmail"), "the chat offers the fix");
}

#[tokio::test]
async fn a_passing_provider_failure_is_an_error_not_a_revocation() {
    let Some(s) = setup_expiring().await else { return };
    let conn = connect_due(&s).await;
    s.peer.control(json!("error500")).await;
    assert!(matches!(s.app.state.connections.tokens(conn.id).await, Err(UseError::Unavailable { .. })));
    let row = s.app.store.connection(conn.id).await.unwrap().unwrap();
    assert_eq!(row.status, "error");
    assert!(row.next_refresh_at.is_some(), "retried later, with backoff");
    assert!(row.sealed_tokens.is_some(), "the tokens are kept");
}

#[tokio::test]
async fn disconnect_revokes_at_the_provider_over_tls_and_deletes_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let env = [("TLS_CERT", cert_path.display().to_string()), ("TLS_KEY", key_path.display().to_string())];
    let ca = cert_path.clone();
    let Some(s) = setup_with_peer_env(&env, move |settings| settings.tokens.ca_file = Some(ca)).await else { return };
    assert!(s.peer.base.starts_with("https://"));
    // The browser side talks to the peer over TLS too: trust its certificate there.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_merge(reqwest::Certificate::from_pem_bundle(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&browser, &authorize, "alice@example.com").await;
    s.owner.get(&callback).send().await.unwrap();
    let conn = s.app.store.shared_connection(TODO_APP, "gmail").await.unwrap().unwrap();
    let tokens = stored_tokens(&s).await;

    let resp = s.owner.post(s.app.url(&format!("/apps/1/integrations/{}/disconnect", conn.id))).send().await.unwrap();
    assert_eq!(location(&resp), "/apps/1/integrations?notice=disconnected&c=gmail");
    assert_eq!(s.peer.stats().await["revocations"], 1, "the revocation endpoint was called");
    let row = s.app.store.connection(conn.id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.sealed_tokens.is_none()), ("disconnected", true));
    let me = browser.get(format!("{}/me", s.peer.base)).bearer_auth(&tokens.access_token).send().await.unwrap();
    assert_eq!(me.status(), 401, "the provider no longer accepts the token");
    let audit = s.app.store.audit_of_app(TODO_APP, 10).await.unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].account.as_deref()), ("disconnect", Some("alice@example.com")));
    assert!(audit.iter().all(|a| !format!("{a:?}").contains(&tokens.access_token)), "no token in the audit log");
    let page =
        text(s.owner.get(s.app.url("/apps/1/integrations?notice=disconnected&c=gmail")).send().await.unwrap(), 200)
            .await;
    assert!(page.contains("Disconnected") && page.contains("Connect again"));
    assert!(
        page.contains("Recent activity") && page.contains("disconnected Gmail (alice@example.com)"),
        "the audit log is shown"
    );
}

#[tokio::test]
async fn a_different_account_on_reconnect_is_not_swapped_in_silently() {
    let Some(s) = setup_with_peer_env(&[], |_| {}).await else { return };
    let conn = connect_as(&s, "alice@example.com").await;
    let resp = s
        .owner
        .post(s.app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("purpose", "reconnect")])
        .send()
        .await
        .unwrap();
    let fresh_browser = TestApp::client();
    let callback = peers::approve(&fresh_browser, &location(&resp), "bob@example.com").await;
    let back = s.owner.get(&callback).send().await.unwrap();
    let prompt_url = location(&back);
    assert!(prompt_url.contains("/apps/1/integrations?switch="), "{prompt_url}");
    assert_eq!(
        s.app.store.connection(conn.id).await.unwrap().unwrap().account.as_deref(),
        Some("alice@example.com"),
        "not swapped yet"
    );
    let page = text(s.owner.get(s.app.url(&prompt_url)).send().await.unwrap(), 200).await;
    assert!(page.contains("This is bob@example.com, not alice@example.com — switch to it?"));
    let switch_id = prompt_url.split("switch=").nth(1).unwrap();
    let done = s
        .owner
        .post(s.app.url(&format!("/apps/1/integrations/switch/{switch_id}")))
        .form(&[("action", "switch")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let row = s.app.store.connection(conn.id).await.unwrap().unwrap();
    assert_eq!((row.id, row.account.as_deref()), (conn.id, Some("bob@example.com")), "the same connection, now bob's");
}

#[tokio::test]
async fn app_users_cannot_call_any_action() {
    let Some(s) = setup_with_peer_env(&[], |_| {}).await else { return };
    let conn = connect_as(&s, "alice@example.com").await;
    let user = s.app.signed_in(APP_USER).await;
    let page = text(user.get(s.app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(page.contains("alice@example.com") && !page.contains("Disconnect"), "app users see, but get no actions");
    let id = conn.id;
    let attempts = [
        user.post(s.app.url(&format!("/apps/1/integrations/{id}/disconnect"))).send().await.unwrap(),
        user.get(s.app.url(&format!("/apps/1/integrations/{id}/remove"))).send().await.unwrap(),
        user.post(s.app.url(&format!("/apps/1/integrations/{id}/remove"))).send().await.unwrap(),
        user.post(s.app.url("/apps/1/integrations/switch/anything"))
            .form(&[("action", "switch")])
            .send()
            .await
            .unwrap(),
        user.post(s.app.url("/apps/1/connect"))
            .form(&[("connector", "gmail"), ("purpose", "reconnect")])
            .send()
            .await
            .unwrap(),
        user.post(s.app.url("/apps/1/connect"))
            .form(&[("connector", "gmail"), ("purpose", "switch")])
            .send()
            .await
            .unwrap(),
    ];
    for resp in attempts {
        assert_eq!(resp.status(), 403, "{}", resp.url());
    }
    assert_eq!(s.app.store.connection(id).await.unwrap().unwrap().status, "connected");
}

#[tokio::test]
async fn remove_lists_dependent_flows_and_asks_first() {
    let Some(s) = setup_with_peer_env(&[], |_| {}).await else { return };
    // Connecting completes the card, and the chat wires the daily email flow on Gmail.
    let conn = connect_as(&s, "alice@example.com").await;
    let flows = s.app.store.flows_of_app(TODO_APP).await.unwrap();
    assert_eq!(flows.len(), 1);
    let confirm =
        text(s.owner.get(s.app.url(&format!("/apps/1/integrations/{}/remove", conn.id))).send().await.unwrap(), 200)
            .await;
    assert!(confirm.contains(&flows[0].name) && confirm.contains("will stop working"), "{confirm}");
    let access = text(s.owner.get(s.app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(access.contains("Used by") && access.contains(&flows[0].name), "View access names the flow");
    let resp = s.owner.post(s.app.url(&format!("/apps/1/integrations/{}/remove", conn.id))).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert!(s.app.store.connection(conn.id).await.unwrap().is_none());
}

#[tokio::test]
async fn disconnect_asks_first_naming_the_flows_it_stops_and_app_users_see_no_flow_links() {
    let Some(s) = setup_with_peer_env(&[], |_| {}).await else { return };
    let conn = connect_as(&s, "alice@example.com").await;
    let flow = s.app.store.flows_of_app(TODO_APP).await.unwrap().remove(0);
    let page = text(s.owner.get(s.app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    let disconnect = format!("/apps/1/integrations/{}/disconnect", conn.id);
    assert!(page.contains(&format!("href=\"{disconnect}\"")), "the button opens a confirmation, it does not act");
    let confirm = text(s.owner.get(s.app.url(&disconnect)).send().await.unwrap(), 200).await;
    assert!(confirm.contains("Disconnect Gmail?") && confirm.contains(&flow.name), "{confirm}");
    assert_eq!(s.app.store.connection(conn.id).await.unwrap().unwrap().status, "connected", "looking changes nothing");

    let user = s.app.signed_in(APP_USER).await;
    let seen = text(user.get(s.app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(seen.contains(&flow.name), "app users still see which flow uses it");
    assert!(!seen.contains("/flows#flow-"), "but no link to a page they may not open");
    assert_eq!(user.get(s.app.url(&disconnect)).send().await.unwrap().status(), 403);

    assert_eq!(s.owner.post(s.app.url(&disconnect)).send().await.unwrap().status(), 303);
    assert!(s.app.store.connection(conn.id).await.unwrap().unwrap().sealed_tokens.is_none());
}

#[tokio::test]
async fn more_permissions_ask_only_for_the_difference_and_grant_the_union() {
    // The peer must know both scopes.
    let port = peers::free_port();
    let Some(peer) =
        OidcPeer::start(&format!("http://127.0.0.1:{port}/oauth/callback"), &[GMAIL_SEND, GMAIL_READ], &[])
    else {
        return;
    };
    let base = peer.base.clone();
    let app = TestApp::spawn_with(|st| {
        st.bind = format!("127.0.0.1:{port}").parse().unwrap();
        st.connectors.insert("gmail".into(), peer_settings(&base));
    })
    .await;
    let owner = app.signed_in(OWNER).await;
    let message_id = ask_for_gmail(&app, &owner).await;
    let s = Setup { app, peer, owner, message_id };
    connect_as(&s, "alice@example.com").await;

    let resp = s
        .owner
        .post(s.app.url("/apps/1/chat"))
        .form(&[("message", "When a new email arrives in Gmail, add a task")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let chat = s.chat().await;
    let card = chat.rsplit("<section class=\"card").next().unwrap();
    assert!(card.contains("Additional permissions"), "{card}");
    assert!(
        card.contains("Read your email messages") && !card.contains("Send email on your behalf"),
        "only the new permission"
    );

    let messages = s.app.store.messages_of_app(TODO_APP).await.unwrap();
    let second =
        messages.iter().rfind(|m| m.payload.as_deref().is_some_and(|p| p.contains("\"cards\":[\"gmail\"]"))).unwrap();
    let flow_message = messages.last().unwrap();
    assert!(flow_message.body.contains("needs more permissions"), "the new flow waits for them: {}", flow_message.body);
    let resp = s
        .owner
        .post(s.app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &second.id.to_string())])
        .send()
        .await
        .unwrap();
    let authorize = location(&resp);
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    let asked = s.peer.stats().await["last_authorization"]["scope"].as_str().unwrap().to_owned();
    assert!(asked.contains(GMAIL_SEND) && asked.contains(GMAIL_READ), "reconnect asks for old and new: {asked}");
    s.owner.get(&callback).send().await.unwrap();
    let granted = s.app.store.shared_connection(TODO_APP, "gmail").await.unwrap().unwrap().granted_scopes().unwrap();
    assert!(granted.contains(&GMAIL_SEND.to_owned()) && granted.contains(&GMAIL_READ.to_owned()), "{granted:?}");
    let statuses: Vec<String> =
        s.app.store.flows_of_app(TODO_APP).await.unwrap().into_iter().map(|f| f.status).collect();
    assert!(statuses.iter().all(|st| st != "blocked"), "the waiting flow is unblocked: {statuses:?}");
}
