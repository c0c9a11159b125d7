//! What every request passes through before a handler: a request id and the CSRF secret
//! in a task-local context, the CSRF check on state-changing requests, security headers,
//! rate limits, and a guard that turns control characters in the URL into a 400.

pub mod context;
pub mod csrf;
pub mod headers;
pub mod plain_text;
pub mod rate;

pub use context::{csrf_token, request_id};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal in the shape the client reads: JSON `{"error"}` on API routes, a page
/// elsewhere.
pub fn refusal(status: StatusCode, title: &str, message: &str) -> Response {
    if context::is_api() {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        crate::http::pages::PageError::new(status, title, message).into_response()
    }
}
