//! The request's context, in a task-local for the time the request is handled: its id
//! (in logs, on error pages and in `X-Request-Id`), whether it is an API request (errors
//! answer JSON), and the secret its forms' CSRF token is made from. A task-local spares
//! every handler and template from passing them along; templates call `csrf_token()` and
//! error pages `request_id()`.
//!
//! The CSRF token is SHA-256 over a label and the browser's session cookie (or, before
//! sign-in, a `pb_pre` cookie set with the first page that needs one). Another site can
//! neither read the cookie nor the page, so it cannot make the token; the token in the
//! page does not reveal the cookie.

use crate::digest::{random_token, sha256_hex};
use crate::http::auth::cookies::{PRE_COOKIE, SESSION_COOKIE};
use std::sync::{Arc, OnceLock};

#[derive(Debug)]
pub struct RequestContext {
    pub id: String,
    /// A JSON route (`/api/`, `/mcp/`): errors answer JSON, not a page.
    pub api: bool,
    /// The secret from the request's cookies, if it had one.
    cookie_secret: Option<String>,
    /// A pre-session secret made when a page needed a token and the browser had none;
    /// the front door then sets it as the `pb_pre` cookie.
    fresh_secret: OnceLock<String>,
    /// The CSRF token, made once: a page with forty forms asks for it forty times.
    csrf: OnceLock<String>,
}

tokio::task_local! {
    static CONTEXT: Arc<RequestContext>;
}

impl RequestContext {
    pub fn new(id: String, api: bool, cookie_header: Option<&str>) -> Self {
        Self {
            id,
            api,
            cookie_secret: cookie_header.and_then(secret_in),
            fresh_secret: OnceLock::new(),
            csrf: OnceLock::new(),
        }
    }

    fn secret(&self) -> &str {
        match &self.cookie_secret {
            Some(s) => s,
            None => self.fresh_secret.get_or_init(random_token),
        }
    }

    /// The pre-session secret to set as a cookie, when one was made for this request.
    pub fn fresh_secret(&self) -> Option<&str> {
        self.fresh_secret.get().map(String::as_str)
    }
}

/// Runs `work` with `context` as the current request's.
pub async fn scope<F: Future>(context: Arc<RequestContext>, work: F) -> F::Output {
    CONTEXT.scope(context, work).await
}

/// The current request's id, or "" outside a request.
pub fn request_id() -> String {
    CONTEXT.try_with(|c| c.id.clone()).unwrap_or_default()
}

pub fn is_api() -> bool {
    CONTEXT.try_with(|c| c.api).unwrap_or(false)
}

/// The token forms must carry, or "" outside a request.
pub fn csrf_token() -> String {
    CONTEXT.try_with(|c| c.csrf.get_or_init(|| token_for(c.secret())).clone()).unwrap_or_default()
}

pub fn token_for(secret: &str) -> String {
    if secret.is_empty() { String::new() } else { sha256_hex(&format!("patchbay csrf\n{secret}")) }
}

/// The secrets a `Cookie` header offers, the session's first: what a form's token may be
/// made from.
pub fn secrets_in(cookie_header: &str) -> impl Iterator<Item = String> + '_ {
    [SESSION_COOKIE, PRE_COOKIE].into_iter().filter_map(move |name| cookie_value(cookie_header, name))
}

fn secret_in(cookie_header: &str) -> Option<String> {
    secrets_in(cookie_header).next()
}

/// One cookie's value, without building a whole jar (this runs on every request).
fn cookie_value(header: &str, name: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_preferred_and_others_are_ignored() {
        let header = "theme=dark; pb_pre=pre-secret; pb_session=session-secret";
        assert_eq!(secrets_in(header).collect::<Vec<_>>(), ["session-secret", "pre-secret"]);
        assert_eq!(secret_in("pb_pre=p"), Some("p".into()));
        assert_eq!(secret_in("other=1"), None);
    }
}
