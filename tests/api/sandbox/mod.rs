//! The sandbox authorization server over HTTP, driven as a browser and an OAuth client
//! would drive it, with every redirect checked rather than followed.

pub mod drive;

use crate::helpers::{TestApp, session_cookie};
use drive::*;
use patchbay::sandbox;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn the_whole_sandbox_flow_runs_over_http_from_consent_to_revocation() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let cookie = session_cookie(&http, &server, 1).await;
    let pkce = pkce();

    // The consent screen: the provider it plays, labelled as a sandbox, in plain words.
    let page = consent(&http, &server, Some(&cookie), &gmail_request(&server, &pkce, "st-42")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    for shown in [
        "Sandbox Gmail — patchbay demo wants to:",
        "SANDBOX",
        "Send email on your behalf",
        "Read your email messages and settings",
        "See your email address",
        "Allow",
        "Cancel",
    ] {
        assert!(html.contains(shown), "the consent page lacks {shown:?}");
    }
    let write = html.find(">Write<").expect("a Write group");
    let read = html.find(">Read<").expect("a Read group");
    let send = html.find("Send email on your behalf").unwrap();
    assert!(write < send && send < read, "sending is listed under Write");
    assert!(html.contains(r#"value="ada@example.com" checked"#), "the signed-in owner is the default account");

    // Allow, as another account typed in by hand.
    let allowed = decide(
        &http,
        &server,
        Some(&cookie),
        &html,
        "allow",
        &[("account", "other"), ("other_email", "builder@acme.test")],
    )
    .await;
    let (to, query) = redirect(&allowed);
    assert_eq!(to, callback(&server));
    assert_eq!(query.get("state").map(String::as_str), Some("st-42"));
    let code = &query["code"];

    // The code for tokens, the client authenticating with HTTP Basic.
    let (status, tokens) = exchange(&http, &server, Auth::Basic, code, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], format!("openid email {GMAIL_SEND} {GMAIL_READ}"), "space-separated, as asked");
    let (access, refresh) = (str_of(&tokens, "access_token"), str_of(&tokens, "refresh_token"));

    let me = userinfo(&http, &server, access).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!((me["email"].as_str(), me["name"].as_str()), (Some("builder@acme.test"), Some("Builder")));
    assert!(str_of(&me, "sub").starts_with("sandbox-"));

    // Refresh (client secret in the body this time) rotates the refresh token.
    let (status, renewed) =
        token(&http, &server, Auth::Body, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let (access2, refresh2) = (str_of(&renewed, "access_token"), str_of(&renewed, "refresh_token"));
    assert!(access2 != access && refresh2 != refresh);
    assert_eq!(renewed["scope"], tokens["scope"]);
    let reused =
        token(&http, &server, Auth::Body, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(error_of(&reused), (400, "invalid_grant"), "the old refresh token stopped working");
    assert_eq!(userinfo(&http, &server, access2).await.status(), StatusCode::OK);

    // Revoking the refresh token takes its access tokens with it.
    let revoke = server.url("/sandbox/oauth/revoke");
    let (status, _, _) = post_form(&http, revoke.clone(), Auth::Basic, &[("token", refresh2)]).await;
    assert_eq!(status, StatusCode::OK);
    let gone = userinfo(&http, &server, access2).await;
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    assert!(gone.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    let after =
        token(&http, &server, Auth::Basic, &[("grant_type", "refresh_token"), ("refresh_token", refresh2)]).await;
    assert_eq!(error_of(&after), (400, "invalid_grant"));
    for again in [refresh2, "never-issued"] {
        let (status, _, _) = post_form(&http, revoke.clone(), Auth::Body, &[("token", again)]).await;
        assert_eq!(status, StatusCode::OK, "revocation answers 200 for any well-formed request");
    }
    let (status, _, body) = post_form(&http, revoke, Auth::Body, &[]).await;
    assert_eq!((status.as_u16(), body["error"].as_str()), (400, Some("invalid_request")), "a token is required");
}

#[tokio::test]
async fn without_a_patchbay_sign_in_the_sandbox_offers_its_demo_accounts_and_takes_the_secret_in_the_body() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let (status, tokens) = exchange(&http, &server, Auth::Body, &code, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let me: Value = userinfo(&http, &server, str_of(&tokens, "access_token")).await.json().await.unwrap();
    assert_eq!(me["email"], sandbox::DEMO_ACCOUNTS[0].0, "the first demo account is the default");
}

#[tokio::test]
async fn cancel_on_the_sandbox_consent_screen_returns_access_denied_with_the_state() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let html = consent(&http, &server, None, &gmail_request(&server, &pkce(), "keep-me")).await.text().await.unwrap();
    let (to, query) = redirect(&decide(&http, &server, None, &html, "cancel", &[]).await);
    assert_eq!(to, callback(&server));
    assert_eq!(query.get("error").map(String::as_str), Some("access_denied"));
    assert_eq!(query.get("state").map(String::as_str), Some("keep-me"));
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn a_sandbox_code_with_the_wrong_verifier_is_invalid_grant_and_spent() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let wrong = exchange(&http, &server, Auth::Basic, &code, &drive::pkce().verifier).await;
    assert_eq!(error_of(&wrong), (400, "invalid_grant"));
    let right = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(error_of(&right), (400, "invalid_grant"), "a failed attempt spends the code");
}

#[tokio::test]
async fn a_replayed_sandbox_code_is_invalid_grant_and_revokes_its_tokens() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let (status, first) = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(status, StatusCode::OK);
    let replay = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(error_of(&replay), (400, "invalid_grant"));
    let access = str_of(&first, "access_token");
    assert_eq!(userinfo(&http, &server, access).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_sandbox_code_sent_with_another_redirect_uri_is_invalid_grant() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let other = server.url("/oauth/elsewhere");
    let params = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", &other),
        ("code_verifier", &pkce.verifier),
    ];
    assert_eq!(error_of(&token(&http, &server, Auth::Basic, &params).await), (400, "invalid_grant"));
}

#[tokio::test]
async fn the_sandbox_refuses_a_missing_or_plain_pkce_challenge_back_at_the_client() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let request = gmail_request(&server, &pkce(), "st-p");
    let missing = with(with(request.clone(), "code_challenge", None), "code_challenge_method", None);
    let plain = with(request, "code_challenge_method", Some("plain"));
    for query in [missing, plain] {
        let (to, answer) = redirect(&consent(&http, &server, None, &query).await);
        assert_eq!(to, callback(&server));
        assert_eq!(answer.get("error").map(String::as_str), Some("invalid_request"));
        assert_eq!(answer.get("state").map(String::as_str), Some("st-p"));
        assert!(answer["error_description"].contains("S256"), "{answer:?}");
    }
}

#[tokio::test]
async fn an_unknown_sandbox_client_or_unregistered_redirect_gets_an_error_page_not_a_redirect() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let request = gmail_request(&server, &pkce(), "st");
    for (query, says) in [
        (with(request.clone(), "redirect_uri", Some("https://evil.example/cb")), "not registered"),
        (with(request.clone(), "client_id", Some("sandbox-nope")), "no client"),
        (with(request, "client_id", Some("sandbox-stripe")), "no client"),
    ] {
        let response = consent(&http, &server, None, &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains(says), "the page should say {says:?}");
    }
}

#[tokio::test]
async fn a_wrong_sandbox_client_secret_is_invalid_client_with_a_401() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    for (id, secret) in [("sandbox-gmail", "wrong"), ("sandbox-nope", sandbox::CLIENT_SECRET)] {
        let response = http
            .post(server.url("/sandbox/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key("www-authenticate"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");
    }
}

#[tokio::test]
async fn the_sandbox_consent_screen_puts_the_account_choice_first_for_select_account_and_checks_the_address() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let request = gmail_request(&server, &pkce(), "st");
    let plain = consent(&http, &server, None, &request).await.text().await.unwrap();
    assert!(!plain.contains("Choose an account"));
    let choosing = with(request, "prompt", Some("select_account consent"));
    let html = consent(&http, &server, None, &choosing).await.text().await.unwrap();
    let chooser = html.find("Choose an account").expect("a prominent account chooser");
    assert!(chooser < html.find("Send email on your behalf").unwrap(), "the chooser comes first");

    let refused =
        decide(&http, &server, None, &html, "allow", &[("account", "other"), ("other_email", "nobody")]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("is not an email address"));
}

#[tokio::test]
async fn an_expired_sandbox_access_token_is_refused_and_a_refresh_brings_a_working_one() {
    let server = TestApp::spawn_with(|s| s.sandbox.access_token_ttl_secs = 2).await;
    let http = TestApp::client();
    let pkce = pkce();
    let code = code_for(&http, &server, None, &pkce, &[]).await;
    let (_, tokens) = exchange(&http, &server, Auth::Basic, &code, &pkce.verifier).await;
    assert_eq!(tokens["expires_in"], 2);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert_eq!(userinfo(&http, &server, str_of(&tokens, "access_token")).await.status(), StatusCode::UNAUTHORIZED);
    let refresh = str_of(&tokens, "refresh_token");
    let (status, renewed) =
        token(&http, &server, Auth::Basic, &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(userinfo(&http, &server, str_of(&renewed, "access_token")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_second_server_instance_finishes_a_sandbox_flow_the_first_began() {
    let postgres = crate::pg::fresh_postgres_url().await;
    let shared = |s: &mut patchbay::config::Settings| {
        s.public_url = Some("http://patchbay.test".into());
        s.database_url = postgres.clone().map(Into::into);
    };
    let first = TestApp::spawn_with(shared).await;
    let second = TestApp::spawn_in(first.dir.clone(), shared).await;
    let http = TestApp::client();
    let pkce = pkce();
    let mut request = gmail_request(&first, &pkce, "st");
    request = with(request, "redirect_uri", Some("http://patchbay.test/oauth/callback"));
    let html = consent(&http, &first, None, &request).await.text().await.unwrap();
    let (_, query) = redirect(&decide(&http, &first, None, &html, "allow", &[]).await);
    let params = [
        ("grant_type", "authorization_code"),
        ("code", query["code"].as_str()),
        ("redirect_uri", "http://patchbay.test/oauth/callback"),
        ("code_verifier", &pkce.verifier),
    ];
    let (status, tokens) = token(&http, &second, Auth::Basic, &params).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(userinfo(&http, &first, str_of(&tokens, "access_token")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_sandbox_is_not_served_in_production() {
    let server = TestApp::spawn_with(crate::helpers::production).await;
    let http = TestApp::client();
    let page = consent(&http, &server, None, &gmail_request(&server, &pkce(), "st")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let token = http.post(server.url("/sandbox/oauth/token")).form(&[("grant_type", "x")]).send().await.unwrap();
    assert_eq!(token.status(), StatusCode::NOT_FOUND);
    let me = http.get(server.url("/sandbox/oauth/userinfo")).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::NOT_FOUND);
}

/// The consent screen for `connector` asking for `scope`, signed in as no one.
async fn consent_for(http: &reqwest::Client, server: &TestApp, connector: &str, scope: &str) -> String {
    let request = gmail_request(server, &pkce(), "st");
    let request = with(with(request, "client_id", Some(&sandbox::client_id(connector))), "scope", Some(scope));
    consent(http, server, None, &request).await.text().await.unwrap()
}

/// Presses Allow as another account, typed in.
async fn allow_as(http: &reqwest::Client, server: &TestApp, html: &str, email: &str) -> reqwest::Response {
    decide(http, server, None, html, "allow", &[("account", "other"), ("other_email", email)]).await
}

#[tokio::test]
async fn sandbox_teams_refuses_a_personal_account_at_sign_in_and_takes_a_work_one() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let html = consent_for(&http, &server, "microsoft_teams", "offline_access User.Read ChannelMessage.Send").await;
    let personal = allow_as(&http, &server, &html, "jo@hotmail.com").await;
    assert_eq!(personal.status(), StatusCode::BAD_REQUEST);
    let page = personal.text().await.unwrap();
    assert!(
        page.contains("takes work or school accounts only, and jo@hotmail.com is a personal account"),
        "the refusal says why"
    );
    let (_, query) = redirect(&allow_as(&http, &server, &html, "jo@contoso.example").await);
    assert!(query.contains_key("code"), "a work account signs in: {query:?}");
}

#[tokio::test]
async fn sandbox_outlook_still_takes_a_personal_account() {
    let server = TestApp::spawn().await;
    let http = TestApp::client();
    let html = consent_for(&http, &server, "outlook", "offline_access User.Read Mail.Send").await;
    let (_, query) = redirect(&allow_as(&http, &server, &html, "jo@hotmail.com").await);
    assert!(query.contains_key("code"), "{query:?}");
}

#[tokio::test]
async fn a_sign_in_refused_for_a_work_or_school_only_tool_says_so() {
    let server = TestApp::spawn().await;
    let owner = server.signed_in(crate::helpers::OWNER).await;
    let started =
        owner.post(server.url("/apps/1/connect")).form(&[("connector", "microsoft_teams")]).send().await.unwrap();
    let authorize = url::Url::parse(&server.url("/")).unwrap().join(&crate::helpers::location(&started)).unwrap();
    let state = authorize.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()).expect("a state");
    let back = owner
        .get(server.url("/oauth/callback"))
        .query(&[("state", state.as_str()), ("error", "invalid_request"), ("error_description", "AADSTS50020")])
        .send()
        .await
        .unwrap();
    let page = back.text().await.unwrap();
    assert!(page.contains("refused the connection: AADSTS50020."), "the provider's reason is kept");
    assert!(page.contains("Needs a work or school account"), "and the likely cause is named");
}
