//! Tokens for agents' clients: an access token for an hour and a refresh token for 30 days,
//! each kept only as its SHA-256. A refresh token works once and is replaced; a second use
//! means someone copied it, and the whole grant is revoked. The MCP endpoint's check: a
//! live token of a live grant for *this* app, whose person still builds the app.

use super::SCOPE;
use crate::digest::{random_token, sha256_hex};
use crate::store::{McpGrantRow, Store, StoreError, now};
use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const ACCESS_SECS: i64 = 3600;
const REFRESH_SECS: i64 = 30 * 86_400;
/// Agents' tokens start so; app keys start with `pbk_`.
const ACCESS_PREFIX: &str = "pba_";
const REFRESH_PREFIX: &str = "pbr_";

/// A new access and refresh token for a grant, as the token endpoint answers them.
pub async fn issue(store: &Store, grant_id: i64) -> Result<Value, StoreError> {
    let access = format!("{ACCESS_PREFIX}{}", random_token());
    let refresh = format!("{REFRESH_PREFIX}{}", random_token());
    let at = now();
    store.insert_mcp_token(&sha256_hex(&access), grant_id, "access", at + ACCESS_SECS).await?;
    store.insert_mcp_token(&sha256_hex(&refresh), grant_id, "refresh", at + REFRESH_SECS).await?;
    Ok(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_SECS,
        "refresh_token": refresh,
        "scope": SCOPE,
    }))
}

/// The grant behind a presented access token, when it opens this app's server now.
pub async fn verify(store: &Store, presented: &str, app_id: i64) -> Result<Option<McpGrantRow>, StoreError> {
    if !presented.starts_with(ACCESS_PREFIX) {
        return Ok(None);
    }
    let Some(grant) = store.mcp_access(&sha256_hex(presented)).await? else { return Ok(None) };
    // The audience: a token for another app's server does not open this one.
    if grant.app_id != app_id {
        return Ok(None);
    }
    // The person's access, not the token's age, decides: a builder who leaves takes it along.
    let role = store.role_of(app_id, grant.user_id).await?;
    Ok(role.is_some_and(|r| r.can_build()).then_some(grant))
}

/// PKCE S256: the verifier hashes to the challenge the code was asked with (RFC 7636).
pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

/// An OAuth error answer (RFC 6749, section 5.2), never cached.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    no_store((status, Json(json!({"error": error, "error_description": description}))).into_response())
}

pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::verifier_matches;

    #[test]
    fn the_verifier_must_hash_to_the_challenge() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_matches(verifier, challenge));
        assert!(!verifier_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", challenge));
        assert!(!verifier_matches("short", challenge));
    }
}
