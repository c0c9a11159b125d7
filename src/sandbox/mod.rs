//! The built-in sandbox authorization server: real OAuth 2.0 endpoints (authorize with
//! PKCE, token, refresh, revoke, userinfo) that play every OAuth 2.0 connector of the
//! catalog, and OAuth 1.0a ones (request token, authorize, access token, with signatures
//! checked: `oauth1.rs`) for the OAuth 1.0a ones (Trello), so that a newcomer can click
//! through the whole connect flow offline and the tests can drive patchbay's OAuth client
//! against a server that behaves like a provider.
//!
//! It is served under `/sandbox/oauth/` only when `settings.sandbox_enabled()` (on in
//! development, off in production). Each connector is a client, `sandbox-<connector id>`,
//! all sharing one well-known secret: there is nothing behind the sandbox to protect, and
//! patchbay's own client must find its credentials without any configuration. Its state
//! (codes, grants, tokens) lives in the database as SHA-256 hashes, so any server instance
//! can finish a flow another one began.

mod account;
pub mod api;
mod consent;
mod endpoints;
mod grant;
pub mod oauth1;
mod pkce;
mod request;

pub use account::{Account, DEMO_ACCOUNTS, InvalidEmail};
pub use grant::{CodeExchange, TokenAnswer, TokenError, exchange_code, issue_code, refresh, revoke, userinfo};
pub use pkce::CodeChallenge;
pub use request::{AuthorizeError, AuthorizeRequest, ErrorRedirect};

use crate::catalog::{AuthKind, Catalog, Connector};
use crate::config::Settings;
use crate::http::AppState;
use axum::Router;
use axum::routing::{any, get, post};

/// Where the sandbox is mounted.
pub const BASE_PATH: &str = "/sandbox/oauth";

/// Where the sandbox plays each connector's API: `/sandbox/api/<connector>/…`.
pub const API_PATH: &str = "/sandbox/api";

/// The client application the consent screen names: patchbay itself, in its demo.
pub const CLIENT_NAME: &str = "patchbay demo";

/// The one secret of every sandbox client. Public on purpose: the sandbox guards nothing,
/// but the token endpoint still checks it, as a provider would, so that a client that
/// forgets to authenticate fails here first.
pub const CLIENT_SECRET: &str = "patchbay-sandbox-secret";

/// Authorization codes live this long (providers use one to ten minutes).
pub const CODE_TTL_SECS: i64 = 300;

/// JSON pointers to the account's identity in the userinfo answer, in the catalog's
/// `account_fields` form, for clients that read the identity generically.
pub const ACCOUNT_FIELDS: [&str; 2] = ["/email", "/name"];

const CLIENT_PREFIX: &str = "sandbox-";

/// The client id that plays `connector`'s app, e.g. `sandbox-gmail`.
pub fn client_id(connector: &str) -> String {
    format!("{CLIENT_PREFIX}{connector}")
}

/// The shared client secret (see [`CLIENT_SECRET`]).
pub fn client_secret() -> &'static str {
    CLIENT_SECRET
}

/// The sandbox's endpoints as a client configures them. Whatever provider it plays, the
/// sandbox speaks standard OAuth 2.0: client authentication by HTTP Basic or in the body,
/// scopes space- or comma-separated, and RFC 7009 revocation (a POST form `token=…` with
/// client authentication), so a client should use that style for a sandbox connector even
/// when the real provider revokes differently (Slack, Dropbox, Notion, GitHub, Zoom).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxEndpoints {
    pub authorization_url: String,
    pub token_url: String,
    pub revocation_url: String,
    /// Answers `{sub, email, name}` to `GET` or `POST` with a Bearer access token.
    pub userinfo_url: String,
}

/// The endpoints under `public_url` (patchbay's public base URL, `settings.public_url()`).
pub fn endpoints(public_url: &str) -> SandboxEndpoints {
    let base = format!("{}{BASE_PATH}", public_url.trim_end_matches('/'));
    SandboxEndpoints {
        authorization_url: format!("{base}/authorize"),
        token_url: format!("{base}/token"),
        revocation_url: format!("{base}/revoke"),
        userinfo_url: format!("{base}/userinfo"),
    }
}

/// The sandbox's OAuth 1.0a endpoints (`oauth1.rs`), as a client configures them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxOAuth1Endpoints {
    pub request_token_url: String,
    pub authorization_url: String,
    pub access_token_url: String,
}

pub fn oauth1_endpoints(public_url: &str) -> SandboxOAuth1Endpoints {
    let base = format!("{}/sandbox/oauth1", public_url.trim_end_matches('/'));
    SandboxOAuth1Endpoints {
        request_token_url: format!("{base}/request_token"),
        authorization_url: format!("{base}/authorize"),
        access_token_url: format!("{base}/access_token"),
    }
}

/// Where the sandbox plays `connector`'s API.
pub fn api_base(public_url: &str, connector: &str) -> String {
    format!("{}{API_PATH}/{connector}", public_url.trim_end_matches('/'))
}

/// A URL of the connector's API (its userinfo or revocation URL) as the sandbox serves it:
/// the same path under `api` (see [`api_base`]). Text, not a parsed URL, so that a
/// `{token}` placeholder stays as it is.
pub fn rebase(connector: &Connector, url: &str, api: &str) -> String {
    format!("{api}{}", api::relative_path(connector, url))
}

/// The sandbox's routes, or none at all when the settings turn it off (its paths then
/// fall through to the ordinary 404).
pub fn router(settings: &Settings) -> Router<AppState> {
    if !settings.sandbox_enabled() {
        return Router::new();
    }
    Router::new()
        .route("/sandbox/oauth/authorize", get(consent::show).post(consent::decide))
        .route("/sandbox/oauth/token", post(endpoints::token))
        .route("/sandbox/oauth/revoke", post(endpoints::revoke))
        .route("/sandbox/oauth/userinfo", get(endpoints::userinfo).post(endpoints::userinfo))
        .route("/sandbox/oauth1/request_token", post(oauth1::request_token))
        .route("/sandbox/oauth1/authorize", get(oauth1::show).post(oauth1::decide))
        .route("/sandbox/oauth1/access_token", post(oauth1::access_token))
        .route("/sandbox/api/{connector}/{*path}", any(api::play))
        .route("/sandbox/console/{connector}", get(api::console::page))
        .route("/sandbox/outbox", get(api::outbox::page))
        .route("/sandbox/outbox.json", get(api::outbox::json))
        .route("/sandbox/outbox/clear", post(api::outbox::clear))
        .route("/sandbox/faults", post(api::outbox::add_fault))
        .route("/sandbox/items", post(api::items::add))
}

/// The connector a client id plays, when it names an OAuth 2.0 connector of the catalog.
/// Credential connectors need no client (the sandbox checks their test keys instead), and
/// OAuth 1.0a connectors have their own endpoints (`oauth1.rs`).
pub fn client<'a>(catalog: &'a Catalog, client_id: &str) -> Option<&'a Connector> {
    let id = client_id.strip_prefix(CLIENT_PREFIX)?;
    catalog.get(id).filter(|c| c.auth.kind == AuthKind::Oauth2)
}

/// The sandbox's developer console for a credential connector: its test credentials.
pub fn console_url(connector: &str) -> String {
    format!("/sandbox/console/{connector}")
}

/// "Sandbox Gmail": how the sandbox names the provider it plays, everywhere it shows one.
pub fn provider_name(connector: &Connector) -> String {
    format!("Sandbox {}", connector.name)
}

/// A fresh random credential (256 bits) with a readable prefix, so that a sandbox token is
/// recognisable wherever it turns up.
fn new_secret(prefix: &str) -> String {
    format!("{prefix}{}", crate::digest::random_token())
}

/// What the database holds instead of a code or token.
fn digest(secret: &str) -> String {
    crate::digest::sha256_hex(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_client_ids_name_their_connector() {
        let catalog = Catalog::embedded().unwrap();
        assert_eq!(client_id("gmail"), "sandbox-gmail");
        assert_eq!(client(&catalog, "sandbox-gmail").map(|c| c.id.as_str()), Some("gmail"));
        assert!(client(&catalog, "gmail").is_none(), "the prefix is required");
        assert!(client(&catalog, "sandbox-nope").is_none());
        assert!(client(&catalog, "sandbox-stripe").is_none(), "API-key connectors have no sandbox");
    }

    #[test]
    fn sandbox_endpoints_sit_under_the_public_url() {
        let e = endpoints("https://pb.example/");
        assert_eq!(e.authorization_url, "https://pb.example/sandbox/oauth/authorize");
        assert_eq!(e.token_url, "https://pb.example/sandbox/oauth/token");
        assert_eq!(e.revocation_url, "https://pb.example/sandbox/oauth/revoke");
        assert_eq!(e.userinfo_url, "https://pb.example/sandbox/oauth/userinfo");
    }

    #[test]
    fn sandbox_secrets_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_secret("sbx_at_"), new_secret("sbx_at_"));
        assert_ne!(a, b);
        assert!(a.starts_with("sbx_at_") && a.len() == 7 + 64, "{a}");
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), a);
    }
}
