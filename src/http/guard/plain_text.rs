//! Control characters in a URL's path or query are refused with a 400 before any handler
//! sees them: no parameter needs one, and some (NUL) cannot be stored, others (tab,
//! newline) are how open redirects slip past a check.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;

pub fn refuse(req: &Request) -> Option<Response> {
    let uri = req.uri();
    let path_bad = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy().chars().any(char::is_control);
    let query_bad = uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
    });
    if path_bad || query_bad {
        return Some(super::refusal(
            StatusCode::BAD_REQUEST,
            "Bad address",
            "This address contains control characters, which no parameter accepts.",
        ));
    }
    None
}
