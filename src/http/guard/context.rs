//! The request's context, in a task-local for the time the request is handled: its id
//! (in logs, on error pages and in `X-Request-Id`) and the CSRF token its forms carry.
//! A task-local spares every handler and template from passing them along; templates
//! call `csrf_token()` and error pages `request_id()`.
//!
//! The CSRF token is derived from the session cookie (or, before sign-in, from a
//! `pb_pre` cookie set here): SHA-256 over a label and the cookie's secret value. Another
//! site can neither read the cookie nor the page, so it cannot make the token; the token
//! in the page does not reveal the cookie.

use crate::digest::{random_token, sha256_hex};
use crate::http::AppState;
use crate::http::auth::cookies::{PRE_COOKIE, SESSION_COOKIE};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

#[derive(Clone, Debug)]
pub struct RequestContext {
    pub id: String,
    /// The cookie secret the CSRF token is made from.
    csrf_secret: String,
    /// A JSON route (`/api/`, `/mcp/`): errors answer JSON, not a page.
    api: bool,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
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
    CONTEXT.try_with(|c| token_for(&c.csrf_secret)).unwrap_or_default()
}

pub fn token_for(secret: &str) -> String {
    if secret.is_empty() { String::new() } else { sha256_hex(&format!("patchbay csrf\n{secret}")) }
}

/// The secrets a request's cookies offer: the session's, then the pre-session one.
pub fn cookie_secrets(jar: &CookieJar) -> impl Iterator<Item = String> + '_ {
    [SESSION_COOKIE, PRE_COOKIE].into_iter().filter_map(|name| jar.get(name).map(|c| c.value().to_owned()))
}

pub async fn with_context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let id = random_token()[..16].to_owned();
    let jar = CookieJar::from_headers(req.headers());
    let existing = cookie_secrets(&jar).next();
    let fresh = existing.is_none().then(random_token);
    let csrf_secret = existing.or_else(|| fresh.clone()).unwrap_or_default();
    let span = tracing::info_span!("request", id = %id);
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/mcp/");
    let context = RequestContext { id: id.clone(), csrf_secret, api };
    let mut response = CONTEXT.scope(context, tracing::Instrument::instrument(next.run(req), span)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let html = response.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if let Some(secret) = fresh.filter(|_| html) {
        let cookie = Cookie::build((PRE_COOKIE, secret))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(state.settings.secure_cookies())
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append("set-cookie", value);
        }
    }
    response
}
