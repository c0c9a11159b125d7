//! The token key over time: rotated and rewrapped from the command line without losing a
//! connection, and a connection whose tokens no key opens says so honestly.

use crate::helpers::{OWNER, TODO_APP, TestApp, text};
use patchbay::connections::{TokenCipher, TokenSet};
use patchbay::store::{NewConnection, now};
use std::process::Command;

fn tokens() -> TokenSet {
    TokenSet {
        access_token: "at-1".into(),
        refresh_token: Some("rt-1".into()),
        token_type: "bearer".into(),
        token_secret: None,
    }
}

async fn connection_sealed_with(app: &TestApp, cipher: &TokenCipher) -> i64 {
    let sealed = tokens().seal(cipher, TODO_APP, "gmail");
    let owner = app.store.list_users().await.unwrap()[0].id;
    app.store
        .insert_connection(NewConnection {
            app_id: TODO_APP,
            connector: "gmail",
            kind: "shared",
            owner_user_id: None,
            account: Some("ada@example.com"),
            status: "connected",
            granted_scopes: &[],
            sealed_tokens: Some(&sealed),
            expires_at: Some(now() + 3600),
            connected_by: owner,
        })
        .await
        .unwrap()
        .id
}

fn patchbay_keys(app: &TestApp, what: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(["keys", what, "--data-dir"])
        .arg(app.dir.path())
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_rotated_key_and_a_rewrap_keep_every_connection_open() {
    let app = TestApp::spawn().await;
    let id = connection_sealed_with(&app, &app.state.cipher).await;
    let before = TokenCipher::load_or_create(None, &[], app.dir.path()).unwrap();

    let rotated = patchbay_keys(&app, "rotate");
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    let rewrapped = patchbay_keys(&app, "rewrap");
    assert!(String::from_utf8_lossy(&rewrapped.stdout).contains("re-sealed 1 connection"));

    let after = TokenCipher::load_or_create(None, &[], app.dir.path()).unwrap();
    assert_ne!(before.fingerprint(), after.fingerprint());
    let row = app.store.connection(id).await.unwrap().unwrap();
    let sealed = row.sealed_tokens.unwrap();
    assert!(!after.needs_rewrap(&sealed));
    assert_eq!(TokenSet::open(&sealed, &after, TODO_APP, "gmail").unwrap(), tokens());
    assert!(TokenSet::open(&sealed, &before, TODO_APP, "gmail").is_err(), "the old key alone no longer opens it");

    // A server started with the new key is accepted by the database.
    let second = TestApp::spawn_in(app.dir.clone(), |_| {}).await;
    assert_eq!(second.state.cipher.fingerprint(), after.fingerprint());
}

#[tokio::test]
async fn tokens_no_key_opens_are_shown_as_such_and_disconnect_does_not_claim_a_revocation() {
    let app = TestApp::spawn().await;
    let stranger =
        TokenCipher::from_base64(&secrecy::SecretString::from(patchbay::connections::generate_key())).unwrap();
    let id = connection_sealed_with(&app, &stranger).await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(page.contains("Needs attention: its tokens cannot be decrypted with this server"), "{page}");
    let done = owner.post(app.url(&format!("/apps/1/integrations/{id}/disconnect"))).send().await.unwrap();
    let after = text(owner.get(app.url(&crate::helpers::location(&done))).send().await.unwrap(), 200).await;
    assert!(after.contains("did not confirm the revocation"), "{after}");
    assert!(!after.contains("its tokens were revoked and deleted"));
}
