//! Security headers on every answer: a Content-Security-Policy that allows no inline
//! script and no framing, `X-Frame-Options` for older browsers, `nosniff`, a referrer
//! policy that keeps paths (and the tokens some carry) on this site, and HSTS under
//! https.

use crate::config::Settings;
use axum::http::{HeaderMap, HeaderValue};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub fn apply(settings: &Settings, h: &mut HeaderMap) {
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if settings.secure_cookies() {
        h.insert("strict-transport-security", HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
}
