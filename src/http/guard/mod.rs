//! What every request passes through before a handler, in one place (one middleware, so
//! the checks cost a function call each, not a layer each): a request id and CSRF secret
//! in a task-local context, rate limits, control characters in the URL, the CSRF check,
//! and on the way out security headers, `X-Request-Id` and the pre-session cookie.

pub mod context;
pub mod csrf;
pub mod headers;
pub mod plain_text;
pub mod rate;

pub use context::{csrf_token, request_id};

use crate::http::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use context::RequestContext;
use std::sync::Arc;
use tracing::Instrument;

pub async fn front_door(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/mcp/");
    let cookies = req.headers().get("cookie").and_then(|v| v.to_str().ok());
    let context = Arc::new(RequestContext::new(crate::digest::short_id(), api, cookies));
    let span = tracing::info_span!("request", id = %context.id, method = %req.method(), path = %path);
    let mut response = context::scope(context.clone(), checked(state.clone(), req, next)).instrument(span).await;
    headers::apply(&state.settings, response.headers_mut());
    if let Ok(value) = HeaderValue::from_str(&context.id) {
        response.headers_mut().insert("x-request-id", value);
    }
    if let Some(secret) = context.fresh_secret() {
        response.headers_mut().append("set-cookie", crate::http::auth::cookies::pre_session(&state, secret));
    }
    response
}

async fn checked(state: AppState, req: Request, next: Next) -> Response {
    if let Some(refused) = rate::refuse(&state, &req) {
        return refused;
    }
    if let Some(refused) = plain_text::refuse(&req) {
        return refused;
    }
    let req = match csrf::check(&state, req).await {
        Ok(req) => req,
        Err(refused) => return refused,
    };
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let response = next.run(req).await;
    if response.status().is_server_error() {
        tracing::warn!(%method, %path, status = %response.status(), "answered with a server error");
    }
    response
}

/// A refusal in the shape the client reads: JSON `{"error"}` on API routes, a page
/// elsewhere.
pub fn refusal(status: StatusCode, title: &str, message: &str) -> Response {
    if context::is_api() {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        crate::http::pages::PageError::new(status, title, message).into_response()
    }
}
