//! The proxy: a call from the host's backend, passed to the connector's API with the
//! connection's credential. The caller chooses the path under the API's base and nothing
//! else: its own `Authorization` and `Cookie` are dropped, the host is the API's, the path
//! passes `target::safe_path`, and a redirect is reported, never followed.

use super::send::SendError;
use super::target::{TargetError, safe_path};
use super::{ActionError, Runner, default_headers};
use crate::catalog::binding::Method;
use axum::http::{HeaderMap, HeaderName};
use bytes::Bytes;

/// One call as the host's backend made it.
pub struct ProxyCall<'a> {
    pub method: &'a str,
    /// The path after `/proxy/<connector>/`, still percent-encoded as it arrived.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: Bytes,
}

/// The header that names the app user whose own connection a proxied call uses; it is
/// patchbay's, never passed on.
pub const AS_USER_HEADER: &str = "x-patchbay-as-user";

impl ProxyCall<'_> {
    fn as_user(&self) -> Result<Option<&str>, ProxyError> {
        match self.headers.get(AS_USER_HEADER) {
            None => Ok(None),
            Some(v) => v.to_str().map(Some).map_err(|_| ProxyError::AsUser),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(transparent)]
    Action(#[from] ActionError),
    #[error(transparent)]
    Path(#[from] TargetError),
    #[error("the proxy passes GET, POST, PUT, PATCH and DELETE, not {0}")]
    Method(String),
    #[error("{0} answered with a redirect; the proxy does not follow redirects")]
    Redirect(String),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("the X-Patchbay-As-User header must be plain text")]
    AsUser,
}

/// Request headers the proxy never passes on: the caller's credentials, hop-by-hop
/// headers, and what would tell the provider about the caller's network.
const DROPPED_REQUEST: [&str; 17] = [
    "authorization",
    "cookie",
    "host",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authorization",
    "proxy-connection",
    "content-length",
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-real-ip",
    "origin",
];

/// Answer headers the proxy never passes back: cookies of the provider's domain,
/// hop-by-hop headers, and browser policies that are patchbay's to set.
const DROPPED_RESPONSE: [&str; 12] = [
    "set-cookie",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "trailer",
    "proxy-authenticate",
    "strict-transport-security",
    "content-security-policy",
    "alt-svc",
    "access-control-allow-origin",
    "access-control-allow-credentials",
];

pub fn passes_request_header(name: &HeaderName) -> bool {
    let n = name.as_str();
    !DROPPED_REQUEST.contains(&n) && !n.starts_with("x-forwarded-") && !n.starts_with("sec-") && n != AS_USER_HEADER
}

/// A header that carries a credential at this API (its own token header too): the
/// caller's is never passed on.
fn carries_credential(name: &HeaderName, api_header: Option<&str>) -> bool {
    api_header.is_some_and(|h| name.as_str().eq_ignore_ascii_case(h))
}

pub fn passes_response_header(name: &HeaderName) -> bool {
    !DROPPED_RESPONSE.contains(&name.as_str())
}

impl Runner {
    /// Sends the call and returns the provider's answer, its body not yet read (the
    /// handler streams it back within the size bound).
    pub async fn proxy(
        &self,
        app_id: i64,
        connector_id: &str,
        call: ProxyCall<'_>,
    ) -> Result<reqwest::Response, ProxyError> {
        let connector = self.app_connector(app_id, connector_id).await?;
        let connector = connector.as_ref();
        let method = Method::parse(call.method).ok_or_else(|| ProxyError::Method(call.method.to_owned()))?;
        safe_path(call.path)?;
        let row = self.connection_as(app_id, connector, call.as_user()?).await?;
        let usable = self.usable(connector, row).await?;
        let path = if call.path.is_empty() { String::new() } else { format!("/{}", call.path) };
        let url = usable.target.join(&path, call.query)?;
        let headers: Vec<(String, String)> = call
            .headers
            .iter()
            .filter(|(n, _)| passes_request_header(n))
            .filter(|(n, _)| !carries_credential(n, connector.api.as_ref().and_then(|a| a.auth_header.as_deref())))
            .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str().to_owned(), v.to_owned())))
            .collect();
        let content_type = call
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        let body = (!call.body.is_empty()).then(|| (content_type, call.body.clone()));
        let request = super::request::Prepared { method, url, headers, body };
        let defaults = default_headers(connector);
        let sender = self.sender(connector, &usable.row, &defaults);
        let sent = match sender.send(&request).await {
            Ok(sent) => sent,
            Err(e) => {
                self.record(&usable.row, "proxy", None, 0, Some(&e.to_string())).await;
                return Err(e.into());
            }
        };
        let status = sent.response.status();
        let error = (!status.is_success()).then(|| format!("HTTP {status}"));
        self.record(&usable.row, "proxy", None, status.as_u16(), error.as_deref()).await;
        if status.is_redirection() {
            return Err(ProxyError::Redirect(connector.name.clone()));
        }
        Ok(sent.response)
    }
}
