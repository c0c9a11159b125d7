//! Revoking at the provider. Each revocation style is sent to a local server that accepts
//! only that style, as a provider does, and answers anything else with an error; the
//! catalog's own entries (Slack, Notion, QuickBooks, Dropbox, GitHub, Zoom, Gmail, Xero)
//! must be sent in the shape their provider documents; and an answer that does not confirm
//! the revocation is reported as a failure, never as success.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use patchbay::catalog::{Catalog, RevocationStyle};
use patchbay::config::{ConnectorSettings, Settings};
use patchbay::oauth::Provider;
use patchbay::oauth::http::ProviderHttp;
use patchbay::oauth::revoke::{RevokeError, revoke};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

const CLIENT: &str = "client-1";
const SECRET: &str = "secret-1";
const ACCESS: &str = "at-1";
const REFRESH: &str = "rt-1";

/// A provider's revocation endpoint that accepts one request shape, exactly.
struct Only {
    style: RevocationStyle,
    /// The token the request must revoke.
    token: &'static str,
    /// Headers the provider requires besides authentication.
    headers: &'static [(&'static str, &'static str)],
}

impl Only {
    fn style(style: RevocationStyle) -> Self {
        let token = if style.sends_access_token() { ACCESS } else { REFRESH };
        Self { style, token, headers: &[] }
    }
}

impl Match for Only {
    fn matches(&self, req: &Request) -> bool {
        let header = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
        let basic = format!("Basic {}", STANDARD.encode(format!("{CLIENT}:{SECRET}")));
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&req.body).into_owned().collect();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let json: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let query_token = req.url.query_pairs().find(|(k, _)| k == "token").map(|(_, v)| v.into_owned());
        let is_form = header("content-type").starts_with("application/x-www-form-urlencoded");
        let is_json = header("content-type").starts_with("application/json");
        let hinted =
            field("token_type_hint") == Some(if self.token == REFRESH { "refresh_token" } else { "access_token" });
        let shaped = match self.style {
            RevocationStyle::FormBasic => {
                req.method.as_str() == "POST"
                    && header("authorization") == basic
                    && is_form
                    && field("token") == Some(self.token)
                    && hinted
                    && field("client_secret").is_none()
            }
            RevocationStyle::FormBody => {
                req.method.as_str() == "POST"
                    && header("authorization").is_empty()
                    && is_form
                    && field("token") == Some(self.token)
                    && hinted
                    && field("client_id") == Some(CLIENT)
                    && field("client_secret") == Some(SECRET)
            }
            RevocationStyle::JsonBasic => {
                req.method.as_str() == "POST"
                    && header("authorization") == basic
                    && is_json
                    && json == json!({ "token": self.token })
            }
            RevocationStyle::Bearer => {
                req.method.as_str() == "POST"
                    && header("authorization") == format!("Bearer {}", self.token)
                    && req.body.is_empty()
            }
            RevocationStyle::Query => {
                req.method.as_str() == "POST"
                    && header("authorization") == basic
                    && query_token.as_deref() == Some(self.token)
                    && req.body.is_empty()
            }
            RevocationStyle::BasicDelete => {
                req.method.as_str() == "DELETE"
                    && header("authorization") == basic
                    && is_json
                    && json == json!({ "access_token": self.token })
            }
            // Signed with the token secret too: checked end to end in oauth1.rs.
            RevocationStyle::SignedDelete | RevocationStyle::None => false,
        };
        let no_leak = self.style == RevocationStyle::Query || query_token.is_none();
        shaped && no_leak && self.headers.iter().all(|(name, value)| header(name) == *value)
    }
}

/// Starts a server that confirms requests of exactly this shape, the way the provider
/// confirms them, and refuses every other request as a provider would.
async fn server(only: Only) -> MockServer {
    let server = MockServer::start().await;
    let confirmed = match only.style {
        RevocationStyle::Bearer => ResponseTemplate::new(200).set_body_json(json!({"ok": true, "revoked": true})),
        RevocationStyle::BasicDelete => ResponseTemplate::new(204),
        _ => ResponseTemplate::new(200).set_body_json(json!({})),
    };
    Mock::given(only).respond_with(confirmed).with_priority(1).mount(&server).await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

/// The catalog's entry for `connector`, with test credentials and its revocation endpoint
/// pointed at `url`.
fn provider(connector: &str, url: String) -> Provider {
    let catalog = Catalog::embedded().expect("the embedded catalog is valid");
    let mut settings = Settings::default();
    settings.connectors.insert(
        connector.into(),
        ConnectorSettings {
            client_id: Some(CLIENT.into()),
            client_secret: Some(SecretString::from(SECRET)),
            revocation_url: Some(url),
            allow_insecure_endpoints: true,
            ..ConnectorSettings::default()
        },
    );
    Provider::resolve(catalog.get(connector).expect("a catalog connector"), &settings).expect("resolves")
}

fn http() -> ProviderHttp {
    ProviderHttp::new(Duration::from_secs(2), Duration::from_secs(5), None).expect("an HTTP client")
}

fn sending(style: RevocationStyle, url: String) -> Provider {
    Provider { revocation_style: style, ..provider("gmail", url) }
}

#[tokio::test]
async fn each_revocation_style_is_accepted_by_its_own_provider_and_refused_by_every_other() {
    // OAuth 1.0a's signed DELETE needs the token secret, which `revoke` is not given: the
    // sandbox checks it end to end (oauth1.rs).
    let styles: Vec<RevocationStyle> = RevocationStyle::ALL
        .into_iter()
        .filter(|s| !matches!(s, RevocationStyle::None | RevocationStyle::SignedDelete))
        .collect();
    let http = http();
    for accepted in &styles {
        let server = server(Only::style(*accepted)).await;
        for sent in &styles {
            let result =
                revoke(&http, &sending(*sent, format!("{}/revoke", server.uri())), ACCESS, Some(REFRESH)).await;
            if sent == accepted {
                assert_eq!(result, Ok(()), "{sent:?} sent to a provider that takes {accepted:?}");
            } else {
                assert!(
                    matches!(&result, Err(RevokeError::Failed { detail, .. }) if detail.contains("401")),
                    "{sent:?} sent to a provider that takes only {accepted:?} must fail: {result:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn without_a_refresh_token_the_access_token_is_revoked() {
    let server = server(Only { style: RevocationStyle::FormBasic, token: ACCESS, headers: &[] }).await;
    let p = sending(RevocationStyle::FormBasic, format!("{}/revoke", server.uri()));
    assert_eq!(revoke(&http(), &p, ACCESS, None).await, Ok(()));
}

#[tokio::test]
async fn a_provider_that_cannot_revoke_is_not_called_and_says_where_to_remove_access() {
    let server = MockServer::start().await;
    let p = sending(RevocationStyle::None, format!("{}/revoke", server.uri()));
    let result = revoke(&http(), &p, ACCESS, Some(REFRESH)).await;
    assert!(
        matches!(&result, Err(e @ RevokeError::Unsupported(_)) if e.to_string().contains("account settings")),
        "{result:?}"
    );
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn catalog_entries_revoke_in_the_shape_their_provider_documents() {
    use RevocationStyle::*;
    let cases: [(&str, Only); 9] = [
        ("slack", Only::style(Bearer)),
        ("slack_bot", Only::style(Bearer)),
        ("notion", Only { headers: &[("notion-version", "2025-09-03")], ..Only::style(JsonBasic) }),
        ("quickbooks", Only::style(JsonBasic)),
        ("dropbox", Only::style(Bearer)),
        ("github", Only { headers: &[("accept", "application/vnd.github+json")], ..Only::style(BasicDelete) }),
        ("zoom", Only::style(Query)),
        ("gmail", Only::style(FormBody)),
        ("xero", Only::style(FormBasic)),
    ];
    let http = http();
    for (connector, only) in cases {
        let server = server(only).await;
        let p = provider(connector, format!("{}/revoke", server.uri()));
        assert_eq!(revoke(&http, &p, ACCESS, Some(REFRESH)).await, Ok(()), "{connector} ({:?})", p.revocation_style);
    }
}

#[tokio::test]
async fn a_refusal_in_a_successful_answer_is_reported_as_a_failure() {
    for (connector, answer) in [
        ("slack", ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "token_revoked"}))),
        ("slack", ResponseTemplate::new(200).set_body_json(json!({"ok": true, "revoked": false}))),
        ("dropbox", ResponseTemplate::new(401).set_body_json(json!({"error_summary": "expired_access_token/"}))),
        ("notion", ResponseTemplate::new(400).set_body_json(json!({"object": "error", "code": "invalid_grant"}))),
    ] {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any()).respond_with(answer).mount(&server).await;
        let p = provider(connector, format!("{}/revoke", server.uri()));
        let result = revoke(&http(), &p, ACCESS, Some(REFRESH)).await;
        assert!(
            matches!(&result, Err(e @ RevokeError::Failed { .. }) if e.to_string().contains("did not confirm")),
            "{connector}: {result:?}"
        );
    }
}
