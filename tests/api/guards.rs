//! What every request passes through: security headers, the CSRF check, the open
//! redirect, control characters, rate limits, slow clients, body sizes, text a database
//! cannot keep, and one token key across servers.

use crate::helpers::{OWNER, TestApp, location, text};
use crate::identity::csrf_of;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/no-such-page", "/healthz"] {
        let resp = TestApp::client().get(app.url(path)).send().await.unwrap();
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
        );
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy") && h.contains_key("x-request-id"), "{path}");
        assert!(!h.contains_key("strict-transport-security"), "no HSTS over plain http");
    }
}

#[tokio::test]
async fn posts_from_another_site_or_without_an_origin_need_the_page_token() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let send = |origin: Option<&str>, csrf: Option<&str>| {
        // A client with the owner's cookies but no default Origin.
        let mut form = vec![("message", "make the header blue".to_owned())];
        if let Some(t) = csrf {
            form.push(("csrf", t.to_owned()));
        }
        owner.post(app.url("/apps/1/chat")).header("origin", origin.unwrap_or("null")).form(&form).send()
    };
    assert_eq!(send(Some("https://evil.example"), None).await.unwrap().status(), 403);
    assert_eq!(send(None, None).await.unwrap().status(), 403, "a null Origin without the token");
    assert_eq!(send(None, Some("forged")).await.unwrap().status(), 403);
    let page = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    let token = csrf_of(&page);
    assert_eq!(send(None, Some(&token)).await.unwrap().status(), 303, "the page's own token passes");

    // A person who is not signed in cannot be signed in from another site either.
    let stranger = TestApp::client();
    let forged = stranger
        .post(app.url("/login/dev"))
        .header("origin", "https://evil.example")
        .form(&[("user_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn sign_in_never_sends_the_browser_to_another_site() {
    let app = TestApp::spawn().await;
    for next in ["/\t/evil.example", "//evil.example", "https://evil.example/", "/\\evil.example"] {
        let resp =
            app.browser().post(app.url("/login/dev")).form(&[("user_id", "1"), ("next", next)]).send().await.unwrap();
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), "/", "{next:?}");
    }
    let resp = app
        .browser()
        .post(app.url("/login/dev"))
        .form(&[("user_id", "1"), ("next", "/apps/1/flows")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&resp), "/apps/1/flows");
}

#[tokio::test]
async fn control_characters_in_an_address_get_a_400_and_nul_in_text_is_refused_on_both_backends() {
    let app = TestApp::spawn().await;
    for path in ["/login?next=%00", "/login?next=/%09/evil.example", "/apps/1/integrations?notice=%0d%0a", "/%00"] {
        assert_eq!(TestApp::client().get(app.url(path)).send().await.unwrap().status(), 400, "{path}");
    }
    let owner = app.signed_in(OWNER).await;
    let chat = owner.post(app.url("/apps/1/chat")).form(&[("message", "hello\0there")]).send().await.unwrap();
    assert_eq!(chat.status(), 400);
    let home = owner.post(app.url("/apps")).form(&[("prompt", "a crm\0")]).send().await.unwrap();
    assert_eq!(home.status(), 422);
    assert_eq!(app.store.app_count().await.unwrap(), 1, "no half-made app is left behind");
}

#[tokio::test]
async fn too_many_requests_get_a_429_with_retry_after() {
    let app = TestApp::spawn_with(|s| {
        s.rate_limit.per_address_per_sec = 1;
        s.rate_limit.per_address_burst = 3;
    })
    .await;
    let client = TestApp::client();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(client.get(app.url("/login")).send().await.unwrap());
    }
    let limited = statuses.iter().find(|r| r.status() == 429).expect("the burst runs out");
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(client.get(app.url("/livez")).send().await.unwrap().status(), 200, "liveness is never limited");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_dropped() {
    let app = TestApp::spawn_with(|s| s.http.header_read_timeout_ms = 300).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the half-sent request instead of waiting for ever");
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    assert_eq!(TestApp::client().get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn_with(|s| s.http.max_body_bytes = 64 * 1024).await;
    let big = serde_json::json!({ "prompt": "x".repeat(200 * 1024) });
    let resp = reqwest::Client::new().post(app.url("/api/v1/route")).json(&big).send().await.unwrap();
    assert_eq!(resp.status(), 413);
}

#[tokio::test]
async fn a_second_server_with_another_token_key_refuses_to_start() {
    let first = TestApp::spawn().await;
    let mut settings = patchbay::config::Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: first.dir.path().to_path_buf(),
        ..Default::default()
    };
    settings.token_key = Some(secrecy::SecretString::from(patchbay::connections::generate_key()));
    let err = patchbay::startup::Application::build(settings).await.err().expect("refused").to_string();
    assert!(err.contains("not the one this database's tokens are sealed with"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_file_is_readable_by_patchbay_alone() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    let mode = std::fs::metadata(app.dir.path().join("patchbay.db")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
