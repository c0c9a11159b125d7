//! Sending a prepared request with a connection's credential. The token is fresh (renewed
//! first when it expires within the margin); a 401 renews it once, whatever its expiry
//! said, and the request is sent once more. Redirects are never followed (the client has
//! them off), and every failure is described without the URL, which may hold secrets.

use super::request::Prepared;
use crate::catalog::binding::CredentialAuth;
use crate::connections::{Connections, TokenSet, UseError};
use crate::credentials::style::{self, Values};
use crate::oauth::http::{HttpError, ProviderHttp, classify};
use bytes::Bytes;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Use(#[from] UseError),
    #[error("{name} did not answer within {secs} seconds")]
    Timeout { name: String, secs: u64 },
    #[error("could not reach {name}: {detail}")]
    Unreachable { name: String, detail: String },
    #[error("{name} cannot be sent its credentials: {detail}")]
    Credential { name: String, detail: String },
}

/// How a credential connection's calls carry its credentials (`[api.credential]`),
/// instead of a Bearer token.
pub struct CredentialCall<'a> {
    pub auth: &'a CredentialAuth,
    /// The connection's non-secret credentials.
    pub config: serde_json::Map<String, serde_json::Value>,
    /// The name of the credential the sealed secret is.
    pub secret_name: &'a str,
    /// The path of the API's base, which a path credential follows.
    pub base_path: String,
}

/// How one connection's requests are sent.
pub struct Sender<'a> {
    pub connections: &'a Connections,
    pub http: &'a ProviderHttp,
    pub connection_id: i64,
    /// The provider's name, for messages.
    pub name: &'a str,
    /// `Bearer`, or the provider's own word (Mailchimp's `OAuth`); empty for the token alone.
    pub scheme: &'a str,
    /// `Authorization`, or the provider's own header (Shopify's `X-Shopify-Access-Token`).
    pub header: &'a str,
    /// OAuth 1.0a (`kind = "oauth1"`): each call is signed with the consumer's and the
    /// token's secrets (RFC 5849 §3.5.1) instead of carrying the token alone.
    pub signer: Option<crate::oauth::Provider>,
    /// The query parameter that carries the token instead of `header` (a custom API's key).
    pub query: Option<&'a str>,
    /// Headers the API wants on every call unless the request sets them.
    pub default_headers: &'a [(String, String)],
    pub timeout: Duration,
    /// Set for a credential connector: its style replaces `scheme` and `header`.
    pub credential: Option<CredentialCall<'a>>,
}

/// The provider's answer, and why a renewal after its 401 failed (if it did).
pub struct Sent {
    pub response: reqwest::Response,
    pub renewal_failed: Option<String>,
}

impl Sender<'_> {
    pub async fn send(&self, request: &Prepared) -> Result<Sent, SendError> {
        let tokens = self.connections.tokens(self.connection_id).await?;
        let first = self.once(request, &tokens).await?;
        if first.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(Sent { response: first, renewal_failed: None });
        }
        match self.connections.tokens_after_rejection(self.connection_id, &tokens.access_token).await {
            Ok(renewed) => Ok(Sent { response: self.once(request, &renewed).await?, renewal_failed: None }),
            Err(e) => Ok(Sent { response: first, renewal_failed: Some(e.to_string()) }),
        }
    }

    async fn once(&self, request: &Prepared, tokens: &TokenSet) -> Result<reqwest::Response, SendError> {
        let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut url = request.url.clone();
        let auth_headers = self.credentials_for(request, tokens, &mut url)?;
        let mut builder = self.http.client().request(method, url).timeout(self.timeout);
        for (name, value) in &auth_headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let own = |name: &str| request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        for (name, value) in self.default_headers.iter().filter(|(n, _)| !own(n)) {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !own("accept") && !self.default_headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept")) {
            builder = builder.header(reqwest::header::ACCEPT, "application/json");
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some((content_type, body)) = &request.body {
            if !own("content-type") {
                builder = builder.header(reqwest::header::CONTENT_TYPE, content_type.as_str());
            }
            builder = builder.body(body.clone());
        }
        builder.send().await.map_err(|e| self.failed(e))
    }

    /// Puts the connection's credential on the call, in its connector's style: headers to
    /// add (or a change to `url` for a key in the query or the path).
    fn credentials_for(
        &self,
        request: &Prepared,
        tokens: &TokenSet,
        url: &mut url::Url,
    ) -> Result<Vec<(String, String)>, SendError> {
        if let Some(call) = &self.credential {
            let values = Values { config: &call.config, secret_name: call.secret_name, secret: &tokens.access_token };
            let applied = style::apply(call.auth, &values, url, &call.base_path)
                .map_err(|e| SendError::Credential { name: self.name.to_owned(), detail: e.to_string() })?;
            return Ok(applied.headers);
        }
        if let Some(provider) = &self.signer {
            let form = signed_form(request);
            let header = crate::oauth::oauth1::sign(provider, tokens, request.method.as_str(), url, &form);
            return Ok(vec![("authorization".to_owned(), header)]);
        }
        if let Some(name) = self.query {
            // The caller's own value for the key's parameter never reaches the API.
            let kept: Vec<(String, String)> =
                url.query_pairs().filter(|(k, _)| k != name).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            url.query_pairs_mut().clear().extend_pairs(kept).append_pair(name, &tokens.access_token);
            return Ok(Vec::new());
        }
        let credential = match self.scheme {
            "" => tokens.access_token.clone(),
            scheme => format!("{scheme} {}", tokens.access_token),
        };
        Ok(vec![(self.header.to_owned(), credential)])
    }

    fn failed(&self, e: reqwest::Error) -> SendError {
        match classify(e) {
            HttpError::Timeout => SendError::Timeout { name: self.name.to_owned(), secs: self.timeout.as_secs() },
            other => SendError::Unreachable { name: self.name.to_owned(), detail: other.to_string() },
        }
    }
}

/// A form-encoded body's parameters, which an OAuth 1.0a signature covers (RFC 5849
/// §3.4.1.3.1); other bodies are not signed.
fn signed_form(request: &Prepared) -> Vec<(String, String)> {
    match &request.body {
        Some((content_type, body)) if content_type.starts_with("application/x-www-form-urlencoded") => {
            url::form_urlencoded::parse(body).into_owned().collect()
        }
        _ => Vec::new(),
    }
}

/// The body, or `None` when it grows past `max` bytes.
pub async fn read_limited(mut response: reqwest::Response, max: usize) -> Result<Option<Bytes>, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        if out.len() + chunk.len() > max {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out.freeze()))
}

/// `Retry-After` in seconds, from seconds or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let raw = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    Some(u64::try_from((at.timestamp() - chrono::Utc::now().timestamp()).max(0)).unwrap_or(0))
}
