//! Cross-site request forgery: a state-changing request to a page route must show that
//! it comes from patchbay's own pages, by an `Origin` equal to `public_url`'s origin or
//! by the form's `csrf` field matching the token derived from the browser's cookie. A
//! missing or `null` Origin (a sandboxed frame, some privacy tools) needs the token.
//! Machine routes (the App API with its bearer keys, the MCP servers and their token
//! endpoint, the sandbox's token endpoints that providers' clients call) carry no browser
//! cookies and are not checked here; the pages where a person consents are.

use super::context::{secrets_in, token_for};
use crate::http::AppState;
use crate::http::pages::PageError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

pub const FIELD: &str = "csrf";

/// The request to go on with (its body read and put back when the token was needed), or
/// the refusal.
pub async fn check(state: &AppState, req: Request) -> Result<Request, Response> {
    if !needs_check(req.method(), req.uri().path()) {
        return Ok(req);
    }
    let origin = req.headers().get("origin").and_then(|v| v.to_str().ok()).map(str::to_owned);
    if origin.as_deref().is_some_and(|o| same_origin(o, &state.settings.public_url())) {
        return Ok(req);
    }
    let cookies = req.headers().get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("");
    let expected: Vec<String> = secrets_in(cookies).map(|s| token_for(&s)).collect();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, state.settings.http.max_body_bytes).await else {
        return Err(PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "Too large", "That form was too large to accept.")
            .into_response());
    };
    let sent = url::form_urlencoded::parse(&bytes).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned());
    if sent.is_some_and(|t| !t.is_empty() && expected.iter().any(|e| constant_time_eq(e, &t))) {
        return Ok(Request::from_parts(parts, Body::from(bytes)));
    }
    tracing::warn!(
        origin = origin.as_deref().unwrap_or("(none)"),
        "refused a state-changing request from another origin"
    );
    Err(PageError::new(
        StatusCode::FORBIDDEN,
        "Request refused",
        "This form did not come from patchbay's own pages. Go back, reload the page and try again.",
    )
    .into_response())
}

fn needs_check(method: &Method, path: &str) -> bool {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let machine = path.starts_with("/api/")
        || (path.starts_with("/mcp/") && path != "/mcp/oauth/authorize")
        || (path.starts_with("/sandbox/") && path != "/sandbox/oauth/authorize");
    !safe && !machine
}

/// Scheme, host and port compared after parsing, so `https://pb.example:443` equals
/// `https://pb.example`, and `null` equals nothing.
pub fn same_origin(origin: &str, public_url: &str) -> bool {
    match (url::Url::parse(origin), url::Url::parse(public_url)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin() && a.origin().is_tuple(),
        _ => false,
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_by_scheme_host_and_port() {
        assert!(same_origin("https://pb.example", "https://pb.example/"));
        assert!(same_origin("https://pb.example:443", "https://pb.example"));
        assert!(!same_origin("http://pb.example", "https://pb.example"));
        assert!(!same_origin("https://pb.example.evil.test", "https://pb.example"));
        assert!(!same_origin("null", "https://pb.example"));
    }

    #[test]
    fn only_state_changing_page_requests_are_checked() {
        assert!(needs_check(&Method::POST, "/login"));
        assert!(needs_check(&Method::POST, "/sandbox/oauth/authorize"));
        assert!(!needs_check(&Method::GET, "/apps/1/chat"));
        assert!(!needs_check(&Method::POST, "/api/v1/route"));
        assert!(!needs_check(&Method::POST, "/sandbox/oauth/token"));
    }
}
