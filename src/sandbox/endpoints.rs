//! The back-channel endpoints a client calls itself: token (RFC 6749 §3.2), revocation
//! (RFC 7009) and userinfo (a Bearer-protected resource, RFC 6750). They answer JSON in
//! the standard shapes, so that patchbay's OAuth client reads them as it reads a real
//! provider's, and they never follow a browser's session.

use super::CLIENT_SECRET;
use super::grant::{self, CodeExchange, TokenError};
use crate::http::AppState;
use crate::store::now;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

const BASIC_CHALLENGE: &str = "Basic realm=\"patchbay sandbox\"";

/// `POST /sandbox/oauth/token`: `authorization_code` and `refresh_token` grants.
pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TokenError> {
    let params = Params::parse(&headers, &body)?;
    let grant_type = params.required("grant_type")?;
    let connector = authenticate(&state, &headers, &params)?;
    let ttl = state.settings.sandbox.access_token_ttl_secs;
    let answer = match grant_type {
        "authorization_code" => {
            let exchange = CodeExchange {
                code: params.required("code")?,
                redirect_uri: params.required("redirect_uri")?,
                code_verifier: params.required("code_verifier")?,
            };
            grant::exchange_code(&state.store, &connector, exchange, ttl, now()).await?
        }
        "refresh_token" => {
            let token = params.required("refresh_token")?;
            grant::refresh(&state.store, &connector, token, params.one("scope")?, ttl, now()).await?
        }
        other => {
            return Err(TokenError::UnsupportedGrantType(format!(
                "grant_type '{other}' is not supported: use authorization_code or refresh_token"
            )));
        }
    };
    Ok((no_store(), Json(answer)).into_response())
}

/// `POST /sandbox/oauth/revoke`: 200 for any well-formed request from an authenticated
/// client, whether or not the token existed (RFC 7009 §2.2).
pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, TokenError> {
    let params = Params::parse(&headers, &body)?;
    let connector = authenticate(&state, &headers, &params)?;
    let token = params.required("token")?;
    grant::revoke(&state.store, &connector, token).await?;
    Ok((no_store(), StatusCode::OK).into_response())
}

/// `GET` or `POST /sandbox/oauth/userinfo`: `{sub, email, name}` of the account chosen on
/// the consent screen, for a live access token.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return unauthorized(
            "Bearer realm=\"patchbay sandbox\"",
            "send an access token: Authorization: Bearer <token>",
        );
    };
    match grant::userinfo(&state.store, token, now()).await {
        Ok(Some(account)) => {
            let body = json!({ "sub": account.sub(), "email": account.email, "name": account.name });
            (no_store(), Json(body)).into_response()
        }
        Ok(None) => unauthorized(
            "Bearer realm=\"patchbay sandbox\", error=\"invalid_token\"",
            "the access token is unknown, expired or revoked",
        ),
        Err(e) => TokenError::Store(e).into_response(),
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::InvalidClient(_) => StatusCode::UNAUTHORIZED,
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let description = match &self {
            Self::Store(e) => {
                tracing::error!(error = %e, "the sandbox authorization server failed");
                "the sandbox could not complete the request; it has been logged".to_owned()
            }
            other => other.to_string(),
        };
        let body = Json(json!({ "error": self.code(), "error_description": description }));
        let mut response = (status, no_store(), body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(BASIC_CHALLENGE));
        }
        response
    }
}

/// Token answers must not be cached (RFC 6749 §5.1).
fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")]
}

fn unauthorized(challenge: &'static str, description: &str) -> Response {
    let body = Json(json!({ "error": "invalid_token", "error_description": description }));
    let mut response = (StatusCode::UNAUTHORIZED, no_store(), body).into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    response
}

pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    credential(headers, &["bearer"])
}

/// The token after one of `schemes` (lowercase) in the Authorization header: providers
/// that take `OAuth <token>` (Mailchimp's metadata) are played with their own word.
pub(super) fn credential<'h>(headers: &'h HeaderMap, schemes: &[&str]) -> Option<&'h str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (schemes.iter().any(|s| scheme.eq_ignore_ascii_case(s)) && !token.is_empty()).then_some(token)
}

/// Which sandbox client is calling: by HTTP Basic (RFC 6749 §2.3.1, id and secret
/// form-encoded) or by `client_id` and `client_secret` in the body, one way only.
fn authenticate(state: &AppState, headers: &HeaderMap, params: &Params) -> Result<String, TokenError> {
    let body_id = params.one("client_id")?;
    let body_secret = params.one("client_secret")?;
    let (id, secret) = match basic_credentials(headers)? {
        Some((id, secret)) => {
            if body_secret.is_some() {
                return Err(TokenError::InvalidRequest(
                    "authenticate one way: HTTP Basic or client_secret in the body, not both".into(),
                ));
            }
            if body_id.is_some_and(|b| b != id) {
                return Err(TokenError::InvalidRequest("client_id differs from the Authorization header's".into()));
            }
            (id, secret)
        }
        None => {
            let id = body_id.ok_or_else(|| {
                TokenError::InvalidClient(
                    "client authentication is required: HTTP Basic, or client_id and client_secret in the body".into(),
                )
            })?;
            let secret = body_secret.ok_or_else(|| TokenError::InvalidClient("client_secret is missing".into()))?;
            (id.to_owned(), secret.to_owned())
        }
    };
    let connector = super::client(&state.catalog, &id)
        .ok_or_else(|| TokenError::InvalidClient(format!("there is no sandbox client '{id}'")))?;
    if secret != CLIENT_SECRET {
        return Err(TokenError::InvalidClient("the client secret is wrong".into()));
    }
    Ok(connector.id.as_str().to_owned())
}

fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, TokenError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let malformed = || TokenError::InvalidClient("the Authorization header is not valid HTTP Basic".into());
    let (scheme, encoded) = value.to_str().ok().and_then(|v| v.split_once(' ')).ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(malformed)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some((form_decode(id), form_decode(secret))))
}

fn form_decode(raw: &str) -> String {
    let escaped = format!("v={}", raw.replace('&', "%26"));
    url::form_urlencoded::parse(escaped.as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// A form-encoded request body. An empty value counts as absent; a repeated parameter is
/// an error (RFC 6749 §3.2).
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, TokenError> {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(TokenError::InvalidRequest(
                "send the parameters form-encoded (application/x-www-form-urlencoded)".into(),
            ));
        }
        Ok(Self(url::form_urlencoded::parse(body).into_owned().collect()))
    }

    fn one(&self, name: &str) -> Result<Option<&str>, TokenError> {
        let mut values = self.0.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(TokenError::InvalidRequest(format!("{name} is given more than once")));
        }
        Ok(first)
    }

    fn required(&self, name: &str) -> Result<&str, TokenError> {
        self.one(name)?.ok_or_else(|| TokenError::InvalidRequest(format!("{name} is missing")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn sandbox_basic_credentials_are_form_decoded() {
        let encoded = STANDARD.encode("sandbox-gmail:a%3Ab+c");
        let got = basic_credentials(&with_auth(&format!("Basic {encoded}"))).unwrap();
        assert_eq!(got, Some(("sandbox-gmail".to_owned(), "a:b c".to_owned())));
        assert!(basic_credentials(&with_auth("Bearer abc")).is_err());
        assert!(basic_credentials(&with_auth("Basic !!!")).is_err());
        assert_eq!(basic_credentials(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn sandbox_bearer_tokens_are_read_from_the_authorization_header() {
        assert_eq!(bearer(&with_auth("Bearer sbx_at_x")), Some("sbx_at_x"));
        assert_eq!(bearer(&with_auth("bearer  sbx_at_x ")), Some("sbx_at_x"));
        assert_eq!(bearer(&with_auth("Basic abc")), None);
        assert_eq!(bearer(&with_auth("Bearer ")), None);
    }
}
