//! Tokens never show: a whole run of the real binary (debug logs on) connects Gmail through
//! the sandbox, hands the token to a key, runs actions, proxies calls, renews the token
//! after a 401 and shows every page; then its logs, every page and answer, and the
//! database file are searched for every token it held. Only `?include=token` may hold one.

use crate::peers::free_port;
use patchbay::connections::{TokenCipher, TokenSet};
use reqwest::redirect::Policy;
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

struct Server {
    child: std::process::Child,
    base: String,
    dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_patchbay"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--data-dir"])
            .arg(dir.path())
            .env("PATCHBAY_LOG__LEVEL", "debug")
            .env_remove("RUST_LOG")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(format!("{base}/livez")).await.is_ok_and(|r| r.status() == 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, base, dir }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Every token the connection holds now (access and refresh).
    fn stored_tokens(&self) -> Vec<String> {
        let db = sealed_rows(self.dir.path());
        let cipher = TokenCipher::load_or_create(None, &[], self.dir.path()).unwrap();
        db.into_iter()
            .filter_map(|(_, app, connector, sealed)| TokenSet::open(&sealed, &cipher, app, &connector).ok())
            .flat_map(|t| std::iter::once(t.access_token).chain(t.refresh_token))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each connection's id, app, connector and sealed tokens, read with a pool of its own on
/// a thread of its own (the server's database, from outside the server).
fn sealed_rows(dir: &std::path::Path) -> Vec<(i64, i64, String, Vec<u8>)> {
    let url = patchbay::store::Store::sqlite_url(dir);
    std::thread::spawn(move || {
        tokio::runtime::Runtime::new().unwrap().block_on(async move {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let rows: Vec<(i64, i64, String, Vec<u8>)> = sqlx::query_as(
                "SELECT id, app_id, connector, sealed_tokens FROM connections WHERE sealed_tokens IS NOT NULL",
            )
            .fetch_all(&pool)
            .await
            .unwrap();
            pool.close().await;
            rows
        })
    })
    .join()
    .unwrap()
}

#[tokio::test]
async fn no_token_shows_in_logs_pages_answers_or_the_database_except_when_a_key_asks_for_it() {
    let server = Server::start().await;
    let mut seen: Vec<String> = Vec::new();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .default_headers([(reqwest::header::ORIGIN, server.base.parse().unwrap())].into_iter().collect())
        .build()
        .unwrap();
    let ok = browser.post(server.url("/login/dev")).form(&[("user_id", "1")]).send().await.unwrap();
    assert_eq!(ok.status(), 303);

    // Connect Gmail as a builder does: Reconnect-for-an-action, the sandbox consent, Allow.
    let started = browser
        .post(server.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("action", "send_email")])
        .send()
        .await
        .unwrap();
    let authorize = started.headers()["location"].to_str().unwrap().to_owned();
    let consent = browser.get(&authorize).send().await.unwrap().text().await.unwrap();
    seen.push(consent.clone());
    let allowed =
        browser.post(server.url("/sandbox/oauth/authorize")).form(&consent_form(&consent)).send().await.unwrap();
    let callback = allowed.headers()["location"].to_str().unwrap().to_owned();
    let back = browser.get(&callback).send().await.unwrap();
    assert_eq!(back.status(), 303);
    let mut tokens = server.stored_tokens();
    assert_eq!(tokens.len(), 2, "an access and a refresh token");

    let key = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_patchbay"))
            .args(["apps", "keys", "create", "--app", "1", "--name", "backend", "--data-dir"])
            .arg(server.dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    let api = reqwest::Client::new();
    let handed = super::fixture::get_json(&server.url("/api/v1/apps/1/connections/gmail?include=token"), &key).await;
    assert!(tokens.contains(&handed["access_token"].as_str().unwrap().to_owned()), "the one allowed hand-out");

    let email = json!({"inputs": {"to": "ada@example.com", "subject": "Open tasks", "body": "Two are open."}});
    let send = || api.post(server.url("/api/v1/apps/1/actions/gmail.send_email")).bearer_auth(&key).json(&email);
    for _ in 0..2 {
        seen.push(text_of(send()).await);
    }
    // A revoked access token: renewed after the 401, and the new tokens must not show either.
    api.post(server.url("/sandbox/faults"))
        .json(&json!({"connector": "gmail", "kind": "unauthorized"}))
        .send()
        .await
        .unwrap();
    for path in [
        "/api/v1/apps/1/proxy/gmail/gmail/v1/users/me/messages",
        "/api/v1/apps/1/connections",
        "/api/v1/apps/1/connections/gmail",
        "/api/v1/apps/1/proxy/gmail/gmail/v1/users/me/labels",
    ] {
        seen.push(text_of(api.get(server.url(path)).bearer_auth(&key)).await);
    }
    tokens.extend(server.stored_tokens());
    let connection = sealed_rows(server.dir.path())[0].0;
    let try_page = format!("/apps/1/integrations/{connection}/try");
    for path in [
        "/apps/1/integrations".to_owned(),
        format!("{try_page}?action=send_email"),
        "/apps/1/chat".into(),
        "/apps/1/settings".into(),
        "/apps/1/flows".into(),
        "/sandbox/outbox".into(),
        "/sandbox/outbox.json".into(),
        "/api/v1/apps/1/connections/gmail?include=token".into(),
    ] {
        seen.push(text_of(browser.get(server.url(&path))).await);
    }
    seen.push(
        text_of(browser.post(server.url(&try_page)).form(&[("action", "search_emails"), ("in.query", "invoice")]))
            .await,
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = std::fs::read_to_string(server.dir.path().join("server.log")).unwrap();
    assert!(log.contains("DEBUG"), "debug logging was on");
    let database = std::fs::read(server.dir.path().join("patchbay.db")).unwrap();
    tokens.sort();
    tokens.dedup();
    assert!(tokens.len() >= 4, "tokens before and after the renewal: {}", tokens.len());
    for token in &tokens {
        assert!(!log.contains(token.as_str()), "a token is in the log");
        assert!(seen.iter().all(|page| !page.contains(token.as_str())), "a token is in a page or an answer");
        assert!(
            !database.windows(token.len()).any(|w| w == token.as_bytes()),
            "a token is in the database in plain text"
        );
    }
}

/// The answer's body, whatever its status.
async fn text_of(request: reqwest::RequestBuilder) -> String {
    request.send().await.unwrap().text().await.unwrap()
}

/// The consent form as a browser submits it after Allow.
fn consent_form(html: &str) -> Vec<(String, String)> {
    let mut form = crate::sandbox::drive::hidden_fields(html);
    form.push(("decision".into(), "allow".into()));
    let checked = regex::Regex::new(r#"name="account" value="([^"]+)" checked"#).unwrap();
    if let Some(c) = checked.captures(html) {
        form.push(("account".into(), crate::sandbox::drive::unescape(&c[1])));
    }
    form
}
