//! OAuth 1.0a, three-legged (RFC 5849 §2): temporary credentials from the request token
//! URL, the person's consent at the authorization URL, then token credentials for the
//! verifier the provider hands back. Each request is signed with HMAC-SHA1
//! (`signature.rs`). This is the `oauth1` style of `[auth]`, with the catalog's endpoints,
//! scope parameter and separator and extra parameters, as for OAuth 2.0; the flow
//! (`flow.rs`) keeps the temporary secret sealed server-side, single use, like a PKCE
//! verifier. Token credentials do not expire and cannot be refreshed.

use super::client::{Granted, TokenError};
use super::http::{ProviderHttp, classify};
use super::provider::Provider;
use super::signature::{self, Credentials};
use crate::catalog::NO_SCOPE_PARAM;
use crate::connections::{TokenCipher, TokenSet};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

/// The endpoint OAuth 1.0a adds to OAuth 2.0's: the authorization URL and the access token
/// URL (`Provider::token_url`) are shared.
#[derive(Clone, Debug)]
pub struct OAuth1Endpoints {
    pub request_token_url: String,
}

/// Temporary credentials (RFC 5849 §2.1). Debug shows neither part.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RequestToken {
    pub token: String,
    pub secret: String,
}

impl std::fmt::Debug for RequestToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestToken([REDACTED])")
    }
}

impl RequestToken {
    /// What the pending authorization holds: sealed, bound to its state.
    pub fn seal(&self, cipher: &TokenCipher, state_hash: &str) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a request token always serialises");
        cipher.seal(&json, &context(state_hash))
    }

    pub fn open(sealed: &[u8], cipher: &TokenCipher, state_hash: &str) -> Option<Self> {
        let json = cipher.open(sealed, &context(state_hash)).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

fn context(state_hash: &str) -> String {
    format!("oauth1:{state_hash}")
}

/// The consumer's and (when given) the token's credentials for signing.
fn credentials<'a>(p: &'a Provider, token: Option<(&'a str, &'a str)>, secret: &'a str) -> Credentials<'a> {
    Credentials {
        consumer_key: &p.client_id,
        consumer_secret: secret,
        token: token.map(|(t, _)| t),
        token_secret: token.map_or("", |(_, s)| s),
    }
}

fn consumer_secret(p: &Provider) -> String {
    p.client_secret.as_ref().map(|s| s.expose_secret().to_owned()).unwrap_or_default()
}

/// The `Authorization` header for a call with token credentials: `form` is the body's
/// parameters when it is form-encoded, since those are signed too.
pub fn sign(p: &Provider, tokens: &TokenSet, method: &str, url: &Url, form: &[(String, String)]) -> String {
    let secret = consumer_secret(p);
    let token_secret = tokens.token_secret.as_deref().unwrap_or_default();
    let creds = credentials(p, Some((&tokens.access_token, token_secret)), &secret);
    signature::authorization(method, url, form, creds, &[])
}

/// Step 1: temporary credentials, with where the provider must send the person back.
pub async fn request_token(http: &ProviderHttp, p: &Provider, callback: &str) -> Result<RequestToken, TokenError> {
    let endpoint = p.oauth1.as_ref().map(|o| o.request_token_url.as_str()).unwrap_or_default();
    let secret = consumer_secret(p);
    let answer = post(http, p, endpoint, credentials(p, None, &secret), &[("oauth_callback", callback)]).await;
    let pairs = answer.map_err(|e| match e {
        // A refusal here can only be about the consumer key or its signature.
        TokenError::Rejected(name) => TokenError::BadClient(name),
        other => other,
    })?;
    if pairs.iter().any(|(k, v)| k == "oauth_callback_confirmed" && v != "true") {
        let detail = "it did not confirm the callback URL".to_owned();
        return Err(TokenError::Config(p.name.clone(), detail));
    }
    Ok(RequestToken { token: field(&pairs, "oauth_token", p)?, secret: field(&pairs, "oauth_token_secret", p)? })
}

/// Step 2: where the person consents, with the temporary token, the scopes in the
/// provider's parameter and separator, and the catalog's extra parameters.
pub fn authorize_url(
    p: &Provider,
    token: &RequestToken,
    scopes: &[String],
    switch_account: bool,
) -> Result<String, TokenError> {
    let mut url = Url::parse(&p.authorization_url).map_err(|e| TokenError::Config(p.name.clone(), e.to_string()))?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("oauth_token", &token.token);
        let joined = scopes.join(&p.scope_separator);
        if !joined.is_empty() && p.scope_param != NO_SCOPE_PARAM {
            query.append_pair(&p.scope_param, &joined);
        }
        let mut params = p.params.clone();
        if switch_account {
            params.extend(p.switch_account_params.clone());
        }
        for (k, v) in &params {
            query.append_pair(k, v);
        }
    }
    Ok(url.to_string())
}

/// Step 3: token credentials for the verifier, signed with the temporary secret.
pub async fn access_token(
    http: &ProviderHttp,
    p: &Provider,
    temporary: &RequestToken,
    verifier: &str,
) -> Result<Granted, TokenError> {
    let secret = consumer_secret(p);
    let creds = credentials(p, Some((&temporary.token, &temporary.secret)), &secret);
    let pairs = post(http, p, &p.token_url, creds, &[("oauth_verifier", verifier)]).await?;
    let tokens = TokenSet {
        access_token: field(&pairs, "oauth_token", p)?,
        refresh_token: None,
        token_type: "oauth1".into(),
        token_secret: Some(field(&pairs, "oauth_token_secret", p)?),
    };
    let raw: Map<String, Value> =
        pairs.into_iter().filter(|(k, _)| !k.starts_with("oauth_token")).map(|(k, v)| (k, Value::String(v))).collect();
    Ok(Granted { tokens, expires_in: None, scopes: None, raw })
}

/// Why the callback cannot be completed, in words for the chat; or the token credentials.
pub async fn complete(
    http: &ProviderHttp,
    p: &Provider,
    temporary: Option<RequestToken>,
    returned_token: Option<&str>,
    verifier: Option<&str>,
) -> Result<Granted, String> {
    let shown = p.display_name();
    let Some(temporary) = temporary else {
        return Err("The sign-in could not be verified. Nothing was connected; try again.".into());
    };
    // The provider names the temporary token it sends back: it must be the one asked for.
    if returned_token.is_some_and(|t| t != temporary.token) {
        return Err(format!(
            "{shown} sent back another sign-in than the one started. Nothing was connected; try again."
        ));
    }
    let Some(verifier) = verifier.filter(|v| !v.is_empty()) else {
        return Err(format!("{shown} sent no verifier. Nothing was connected; try again."));
    };
    access_token(http, p, &temporary, verifier).await.map_err(|e| format!("{e}. Nothing was connected."))
}

/// A signed POST whose parameters travel in the header; the answer is a form.
async fn post(
    http: &ProviderHttp,
    p: &Provider,
    endpoint: &str,
    creds: Credentials<'_>,
    extra: &[(&str, &str)],
) -> Result<Vec<(String, String)>, TokenError> {
    let url = Url::parse(endpoint).map_err(|e| TokenError::Config(p.name.clone(), e.to_string()))?;
    let header = signature::authorization("POST", &url, &[], creds, extra);
    let response = http
        .client()
        .post(url)
        .header(reqwest::header::AUTHORIZATION, header)
        .header(reqwest::header::CONTENT_LENGTH, "0")
        .send()
        .await
        .map_err(|e| match classify(e) {
            super::http::HttpError::Timeout => TokenError::Timeout(p.name.clone()),
            other => TokenError::Provider { name: p.name.clone(), detail: other.to_string(), transient: true },
        })?;
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    // Trello answers 401 for a wrong key, secret, signature, token or verifier, with the
    // reason as text; 400 for a request it cannot read (a callback it does not take).
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(TokenError::Rejected(p.name.clone()));
    }
    if status == reqwest::StatusCode::BAD_REQUEST {
        let detail: String = String::from_utf8_lossy(&body).chars().take(120).collect();
        return Err(TokenError::Config(p.name.clone(), detail));
    }
    if !status.is_success() {
        let detail: String = String::from_utf8_lossy(&body).chars().take(80).collect();
        let transient = status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
        return Err(TokenError::Provider {
            name: p.name.clone(),
            detail: format!("HTTP {status}: {detail}"),
            transient,
        });
    }
    Ok(url::form_urlencoded::parse(&body).into_owned().collect())
}

fn field(pairs: &[(String, String)], name: &str, p: &Provider) -> Result<String, TokenError> {
    pairs.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone()).ok_or_else(|| TokenError::Provider {
        name: p.name.clone(),
        detail: format!("its answer has no {name}"),
        transient: false,
    })
}
