//! Single sign-on against a real OpenID Connect provider (oidc-provider): discovery, the
//! code flow with PKCE, and an ID token checked for its signature and nonce.

use crate::helpers::{OWNER, TestApp, location, text};
use crate::identity::invite;
use crate::peers::{self, CLIENT_ID, CLIENT_SECRET, OidcPeer};
use patchbay::config::OidcSettings;
use secrecy::SecretString;
use serde_json::json;

struct Sso {
    app: TestApp,
    peer: OidcPeer,
}

async fn setup() -> Option<Sso> {
    let port = peers::free_port();
    let peer = OidcPeer::start(&format!("http://127.0.0.1:{port}/login/sso/callback"), &[], &[])?;
    let issuer = peer.base.clone();
    let app = TestApp::spawn_with(|s| {
        s.bind = format!("127.0.0.1:{port}").parse().unwrap();
        s.auth.oidc = Some(OidcSettings {
            issuer,
            client_id: CLIENT_ID.into(),
            client_secret: SecretString::from(CLIENT_SECRET),
            label: "Sign in with Acme".into(),
        });
    })
    .await;
    Some(Sso { app, peer })
}

impl Sso {
    /// Starts at `start` (a patchbay path), signs in at the provider as `email`, and
    /// returns patchbay's answer to the callback.
    async fn sign_in(&self, browser: &reqwest::Client, start: &str, email: &str) -> reqwest::Response {
        let callback = self.to_callback(browser, start, email).await;
        browser.get(&callback).send().await.unwrap()
    }

    async fn to_callback(&self, browser: &reqwest::Client, start: &str, email: &str) -> String {
        let begin = browser.get(self.app.url(start)).send().await.unwrap();
        assert_eq!(begin.status(), 303, "{}", begin.text().await.unwrap_or_default());
        let provider =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        peers::approve(&provider, &location(&begin), email).await
    }
}

#[tokio::test]
async fn single_sign_on_signs_in_the_person_with_that_verified_email() {
    let Some(s) = setup().await else { return };
    let login = text(TestApp::client().get(s.app.url("/login")).send().await.unwrap(), 200).await;
    assert!(login.contains("Sign in with Acme"));
    let browser = s.app.browser();
    let back = s.sign_in(&browser, "/login/sso?next=%2Fapps%2F1%2Fflows", OWNER).await;
    assert_eq!(back.status(), 303, "{}", back.text().await.unwrap_or_default());
    assert_eq!(location(&back), "/apps/1/flows");
    text(browser.get(s.app.url("/apps/1/flows")).send().await.unwrap(), 200).await;
    let last = s.peer.stats().await["last_authorization"].clone();
    assert_eq!(last["code_challenge_method"], "S256");
    assert!(last["nonce"].as_str().is_some_and(|n| n.len() > 20));
}

#[tokio::test]
async fn someone_without_an_account_is_turned_away_unless_invited() {
    let Some(s) = setup().await else { return };
    let stranger = s.sign_in(&s.app.browser(), "/login/sso", "stranger@example.com").await;
    assert_eq!(stranger.status(), 403);
    assert!(stranger.text().await.unwrap().contains("No patchbay account uses stranger@example.com"));

    let owner = s.app.signed_in(OWNER).await;
    let link = invite(&s.app, &owner, "newcomer@example.com", "editor").await;
    let token = link.rsplit('/').next().unwrap();
    let browser = s.app.browser();
    let joined =
        s.sign_in(&browser, &format!("/login/sso?invitation={token}&next=%2Fapps%2F1"), "newcomer@example.com").await;
    assert_eq!(joined.status(), 303, "{}", joined.text().await.unwrap_or_default());
    assert_eq!(browser.get(s.app.url("/apps/1/chat")).send().await.unwrap().status(), 200, "an editor now");
}

#[tokio::test]
async fn a_tampered_id_token_is_refused() {
    let Some(s) = setup().await else { return };
    s.peer.control(json!("tamper_id_token")).await;
    let browser = s.app.browser();
    let back = s.sign_in(&browser, "/login/sso", OWNER).await;
    assert_eq!(back.status(), 403);
    assert!(back.text().await.unwrap().contains("could not be trusted"));
    assert_eq!(browser.get(s.app.url("/apps/1/chat")).send().await.unwrap().status(), 303, "not signed in");
}

#[tokio::test]
async fn an_id_token_for_another_nonce_or_a_replayed_callback_is_refused() {
    let Some(s) = setup().await else { return };
    let browser = s.app.browser();
    let callback = s.to_callback(&browser, "/login/sso", OWNER).await;
    // The request patchbay kept now expects a different nonce than the token carries.
    let pool = sqlx::AnyPool::connect(&patchbay::store::Store::sqlite_url(s.app.dir.path())).await.unwrap();
    sqlx::query("UPDATE sign_in_requests SET nonce = 'a-nonce-nobody-sent'").execute(&pool).await.unwrap();
    let back = browser.get(&callback).send().await.unwrap();
    assert_eq!(back.status(), 403);
    assert!(back.text().await.unwrap().contains("could not be trusted"));

    let replay = browser.get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 403);
    assert!(replay.text().await.unwrap().contains("already used"));
}
