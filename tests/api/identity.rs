//! Real sign-in: the first owner (command line and `/setup`), passwords, limits on
//! guessing, sessions that end, invitations that give exactly their role, the last owner,
//! and production's refusals.

use crate::helpers::{OWNER, TODO_APP, TestApp, location, production, text};
use patchbay::config::Settings;
use patchbay::startup::Application;
use std::io::Write;
use std::process::{Command, Stdio};

pub const PASSWORD: &str = "correct horse battery";

/// The `value` of the first hidden `csrf` field in a page.
pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("the page has a CSRF field") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The secret a page shows once (a new key, an invitation link).
pub fn shown_once(page: &str) -> String {
    let at = page.find("class=\"secret\"").expect("a secret is shown");
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..rest.find("</p>").unwrap()].trim().to_owned()
}

pub async fn sign_in(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    client
        .post(app.url("/login"))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
}

/// `patchbay users add` against the server's data directory.
fn add_user_on_the_command_line(
    app: &TestApp,
    email: &str,
    password: &str,
    owner_of: Option<i64>,
) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_patchbay"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("PATCHBAY_")) {
        cmd.env_remove(k);
    }
    cmd.args(["users", "add", "--email", email, "--name", "Cleo Cli", "--password-stdin", "--data-dir"])
        .arg(app.dir.path());
    if let Some(id) = owner_of {
        cmd.args(["--owner-of", &id.to_string()]);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_first_owner_is_made_once_with_the_code_from_the_log() {
    let app = TestApp::spawn_with(|s| s.seed_demo = false).await;
    let code = app.setup_code.clone().expect("an empty server prints a setup code");
    let browser = app.browser();
    let login = text(browser.get(app.url("/login")).send().await.unwrap(), 200).await;
    assert!(login.contains("/setup"), "the sign-in page points to setup while nobody exists");

    text(browser.get(app.url("/setup")).send().await.unwrap(), 200).await;
    let form = |code: &str| {
        vec![
            ("code", code.to_owned()),
            ("email", "Owner@Example.org".into()),
            ("name", "Olive".into()),
            ("password", PASSWORD.into()),
        ]
    };
    let wrong =
        text(browser.post(app.url("/setup")).form(&form("0000-0000-0000-0000")).send().await.unwrap(), 422).await;
    assert!(wrong.contains("setup code is not right"), "{wrong}");
    let made = browser.post(app.url("/setup")).form(&form(&code)).send().await.unwrap();
    assert_eq!(made.status(), 303);
    let home = text(browser.get(app.url("/")).send().await.unwrap(), 200).await;
    assert!(home.contains("Olive"), "signed in as the new owner");

    assert_eq!(browser.get(app.url("/setup")).send().await.unwrap().status(), 404, "setup is gone for good");
    let again = app.browser().post(app.url("/setup")).form(&form(&code)).send().await.unwrap();
    assert_eq!(again.status(), 404, "the code cannot make a second owner");
    let fresh = app.browser();
    assert_eq!(
        sign_in(&app, &fresh, "owner@example.org", PASSWORD).await.status(),
        303,
        "the email is kept lower-case"
    );
}

#[tokio::test]
async fn a_person_added_on_the_command_line_signs_in_with_their_password() {
    let app = TestApp::spawn().await;
    let out = add_user_on_the_command_line(&app, "cleo@example.com", PASSWORD, Some(TODO_APP));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let short = add_user_on_the_command_line(&app, "dan@example.com", "short", None);
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));

    let browser = app.browser();
    let resp = sign_in(&app, &browser, "cleo@example.com", PASSWORD).await;
    assert_eq!(resp.status(), 303);
    assert!(resp.headers()["set-cookie"].to_str().unwrap().contains("HttpOnly"));
    text(browser.get(app.url("/apps/1/settings")).send().await.unwrap(), 200).await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    add_user_on_the_command_line(&app, "cleo@example.com", PASSWORD, None);
    let wrong = text(sign_in(&app, &app.browser(), "cleo@example.com", "not the password").await, 401).await;
    let unknown = text(sign_in(&app, &app.browser(), "nobody@example.com", PASSWORD).await, 401).await;
    let message = "That email and password do not match an account.";
    assert!(wrong.contains(message) && unknown.contains(message));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    add_user_on_the_command_line(&app, "cleo@example.com", PASSWORD, None);
    for _ in 0..5 {
        assert_eq!(sign_in(&app, &app.browser(), "cleo@example.com", "guess guess guess").await.status(), 401);
    }
    let locked = sign_in(&app, &app.browser(), "cleo@example.com", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let wait: i64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    assert!(locked.text().await.unwrap().contains("Too many attempts"));
}

#[tokio::test]
async fn signing_out_everywhere_and_changing_the_password_end_other_sessions() {
    let app = TestApp::spawn().await;
    add_user_on_the_command_line(&app, "cleo@example.com", PASSWORD, Some(TODO_APP));
    let (laptop, phone, tablet) = (app.browser(), app.browser(), app.browser());
    for b in [&laptop, &phone, &tablet] {
        assert_eq!(sign_in(&app, b, "cleo@example.com", PASSWORD).await.status(), 303);
    }
    let changed = laptop
        .post(app.url("/account/password"))
        .form(&[("current", PASSWORD), ("new", "a brand new passphrase")])
        .send()
        .await
        .unwrap();
    assert!(text(changed, 200).await.contains("2 other session(s) were signed out"));
    let chat = |b: &reqwest::Client| b.get(app.url("/apps/1/chat")).send();
    assert_eq!(chat(&phone).await.unwrap().status(), 303, "the phone is signed out");
    assert_eq!(chat(&laptop).await.unwrap().status(), 200, "the laptop that changed it stays in");
    assert_eq!(sign_in(&app, &tablet, "cleo@example.com", PASSWORD).await.status(), 401, "the old password is gone");

    laptop.post(app.url("/logout/everywhere")).send().await.unwrap();
    assert_eq!(chat(&laptop).await.unwrap().status(), 303);
}

/// The owner invites `email` as `role` on the Settings page; returns the link shown once.
pub async fn invite(app: &TestApp, owner: &reqwest::Client, email: &str, role: &str) -> String {
    let page = owner
        .post(app.url("/apps/1/settings/invitations"))
        .form(&[("email", email), ("role", role)])
        .send()
        .await
        .unwrap();
    let link = shown_once(&text(page, 200).await);
    assert!(link.starts_with(&format!("{}/invitations/", app.base)), "{link}");
    link
}

#[tokio::test]
async fn an_invited_editor_can_build_and_an_invited_app_user_cannot() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    for (email, role, chat_status) in [("ed@example.com", "editor", 200), ("usa@example.com", "app_user", 403)] {
        let link = invite(&app, &owner, email, role).await;
        let newcomer = app.browser();
        let page = text(newcomer.get(&link).send().await.unwrap(), 200).await;
        assert!(page.contains("Create your account") && page.contains(email));
        let joined = newcomer
            .post(format!("{link}/join"))
            .form(&[("name", "New Person"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(joined.status(), 303);
        assert_eq!(location(&joined), "/apps/1");
        assert_eq!(newcomer.get(app.url("/apps/1/chat")).send().await.unwrap().status(), chat_status, "{role}");
        assert_eq!(newcomer.get(app.url("/apps/1/integrations")).send().await.unwrap().status(), 200);
        assert_eq!(newcomer.get(app.url("/apps/1/settings")).send().await.unwrap().status(), chat_status, "{role}");

        let reused = app.browser().get(&link).send().await.unwrap();
        assert_eq!(reused.status(), 410, "the link works once");
    }
    let audit = app.store.audit_of_app(TODO_APP, 20).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "member.invited"));
    assert!(audit.iter().filter(|a| a.action == "member.joined").count() == 2);
}

#[tokio::test]
async fn an_invitation_for_one_email_does_not_let_another_account_in() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let link = invite(&app, &owner, "invited@example.com", "editor").await;
    let eddie = app.signed_in(crate::helpers::EDITOR).await;
    let page = text(eddie.get(&link).send().await.unwrap(), 200).await;
    assert!(page.contains("This invitation is for invited@example.com"), "{page}");
    let taken = eddie.post(format!("{link}/accept")).send().await.unwrap();
    assert_eq!(taken.status(), 409);
}

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_removed() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap();
    for action in ["editor", "remove"] {
        let page = owner
            .post(app.url(&format!("/apps/1/settings/members/{}", ada.id)))
            .form(&[("action", action)])
            .send()
            .await
            .unwrap();
        assert!(text(page, 200).await.contains("always keeps at least one owner"));
    }
    let role = app.store.role_of(TODO_APP, ada.id).await.unwrap();
    assert_eq!(role, Some(patchbay::app::Role::Owner));
}

#[tokio::test]
async fn production_refuses_to_start_without_https_or_a_token_key() {
    let dir = tempfile::tempdir().unwrap();
    let base = || Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        env: patchbay::config::Environment::Production,
        ..Default::default()
    };
    let mut http = base();
    http.public_url = Some("http://patchbay.test".into());
    http.token_key = Some(secrecy::SecretString::from(patchbay::connections::generate_key()));
    let err = Application::build(http).await.err().expect("refused").to_string();
    assert!(err.contains("public_url") && err.contains("https://"), "{err}");
    let mut keyless = base();
    keyless.public_url = Some("https://patchbay.test".into());
    let err = Application::build(keyless).await.err().expect("refused").to_string();
    assert!(err.contains("token_key"), "{err}");
}

#[tokio::test]
async fn production_has_no_development_sign_in_and_seeds_nobody() {
    let app = TestApp::spawn_with(production).await;
    assert_eq!(app.store.user_count().await.unwrap(), 0);
    assert!(app.setup_code.is_some());
    let login = text(TestApp::client().get(app.url("/login")).send().await.unwrap(), 200).await;
    assert!(!login.contains("Development sign-in") && !login.contains("@example.com"));
    let dev = TestApp::client()
        .post(app.url("/login/dev"))
        .header("origin", "https://patchbay.test")
        .form(&[("user_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(dev.status(), 404);
    let attempt = TestApp::client()
        .post(app.url("/login"))
        .header("origin", "https://patchbay.test")
        .form(&[("email", "x@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(attempt.status(), 401);
    let cookie = attempt.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
}
