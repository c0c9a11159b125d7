//! The one HTTP client patchbay uses to talk to providers: redirects off (the oauth2
//! crate's advice against SSRF), connect and total timeouts. It also hands the oauth2
//! crate a standard token answer whatever the provider's own shape: Slack's `ok`/
//! `authed_user`, form-encoded bodies (GitHub without an Accept header), scopes separated
//! by commas or given as a list, `expires_in` as a string, a missing `token_type`.

use oauth2::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct ProviderHttp {
    client: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("the provider did not answer in time")]
    Timeout,
    #[error("could not reach the provider: {0}")]
    Unreachable(String),
    #[error("invalid request: {0}")]
    Build(String),
}

impl ProviderHttp {
    /// `extra_ca` is PEM: certificates to trust besides the system's.
    pub fn new(connect_timeout: Duration, total_timeout: Duration, extra_ca: Option<&[u8]>) -> Result<Self, HttpError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .timeout(total_timeout)
            .user_agent(concat!("patchbay/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = extra_ca {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| HttpError::Build(format!("the CA file: {e}")))?;
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder.build().map_err(|e| HttpError::Build(e.to_string()))?;
        Ok(Self { client })
    }

    /// A client built elsewhere with the same care (redirects off, timeouts): custom APIs
    /// use one whose name lookups never answer an internal address.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self { client }
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends an oauth2-crate request and returns the provider's answer in standard shape.
    pub async fn token_call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (status, content_type, bytes) = self.send(request).await?;
        let (status, json) = normalize_token_answer(status, &content_type, &bytes);
        let mut out = oauth2::http::Response::builder().status(status);
        if json.is_some() {
            out = out.header("content-type", "application/json");
        }
        out.body(json.map(|v| v.to_string().into_bytes()).unwrap_or_else(|| bytes.to_vec()))
            .map_err(|e| HttpError::Build(e.to_string()))
    }
}

impl ProviderHttp {
    /// Sends a request as it is and returns the answer untouched: for OpenID Connect
    /// discovery and keys, which are not token answers.
    pub async fn plain_call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (status, content_type, bytes) = self.send(request).await?;
        oauth2::http::Response::builder()
            .status(status)
            .header("content-type", content_type)
            .body(bytes.to_vec())
            .map_err(|e| HttpError::Build(e.to_string()))
    }

    async fn send(&self, request: HttpRequest) -> Result<(u16, String, bytes::Bytes), HttpError> {
        let (parts, body) = request.into_parts();
        let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
            .map_err(|e| HttpError::Build(e.to_string()))?;
        let mut req = self.client.request(method, parts.uri.to_string()).body(body);
        for (name, value) in &parts.headers {
            req = req.header(name.as_str(), value.as_bytes());
        }
        let resp = req.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = resp.bytes().await.map_err(classify)?;
        Ok((status, content_type, bytes))
    }
}

/// The same client without the token-answer rewriting, for the OpenID Connect crate.
pub struct PlainHttp<'a>(pub &'a ProviderHttp);

impl<'c> oauth2::AsyncHttpClient<'c> for PlainHttp<'_> {
    type Error = HttpError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.0.plain_call(request))
    }
}

/// Lets the oauth2 crate send its requests through this client. A boxed `Send` future
/// keeps the handlers that await it `Send` (a closure here would not be).
impl<'c> oauth2::AsyncHttpClient<'c> for ProviderHttp {
    type Error = HttpError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.token_call(request))
    }
}

pub fn classify(e: reqwest::Error) -> HttpError {
    if e.is_timeout() { HttpError::Timeout } else { HttpError::Unreachable(without_url(&e)) }
}

/// reqwest errors name the URL, which for some providers carries a token in its path.
fn without_url(e: &reqwest::Error) -> String {
    let text = e.to_string();
    match e.url() {
        Some(url) => text.replace(url.as_str(), "<provider>"),
        None => text,
    }
}

/// Rewrites a token endpoint's answer into RFC 6749 shape; `None` leaves the body alone.
pub fn normalize_token_answer(status: u16, content_type: &str, body: &[u8]) -> (u16, Option<Value>) {
    let parsed: Option<Value> = if content_type.contains("application/x-www-form-urlencoded")
        || content_type.starts_with("text/plain")
    {
        let pairs: Map<String, Value> =
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
        (!pairs.is_empty()).then_some(Value::Object(pairs))
    } else {
        serde_json::from_slice(body).ok()
    };
    let Some(Value::Object(mut map)) = parsed else { return (status, None) };

    // Slack answers 200 with {"ok": false, "error": "..."}; GitHub answers 200 with {"error": ...}.
    let failed =
        map.get("ok") == Some(&Value::Bool(false)) || (map.contains_key("error") && !map.contains_key("access_token"));
    if failed {
        let code = map.get("error").and_then(Value::as_str).unwrap_or("invalid_request").to_owned();
        let code = match code.as_str() {
            "invalid_code" | "bad_verification_code" | "code_already_used" | "invalid_grant_type" | "code_expired" => {
                "invalid_grant".to_owned()
            }
            "invalid_client_id" | "bad_client_secret" | "incorrect_client_credentials" => "invalid_client".to_owned(),
            _ => code,
        };
        let mut err = Map::new();
        err.insert("error".into(), Value::String(code));
        if let Some(d) = map.get("error_description").cloned() {
            err.insert("error_description".into(), d);
        }
        let status = if status == 200 { 400 } else { status };
        return (status, Some(Value::Object(err)));
    }
    if status != 200 {
        return (status, Some(Value::Object(map)));
    }
    // Slack user tokens: {"authed_user": {"access_token", "scope", "token_type", ...}}.
    if !map.contains_key("access_token")
        && let Some(Value::Object(user)) = map.get("authed_user").cloned()
    {
        for (k, v) in user {
            map.entry(k).or_insert(v);
        }
    }
    if let Some(v) = map.get("expires_in").cloned() {
        match v {
            Value::String(s) => match s.trim().parse::<u64>() {
                Ok(n) => {
                    map.insert("expires_in".into(), Value::from(n));
                }
                Err(_) => {
                    map.remove("expires_in");
                }
            },
            Value::Number(n) if n.as_u64().is_none() => {
                map.insert("expires_in".into(), Value::from(n.as_f64().unwrap_or(0.0).max(0.0) as u64));
            }
            _ => {}
        }
    }
    match map.get("scope").cloned() {
        Some(Value::String(s)) => {
            map.insert("scope".into(), Value::String(split_scopes(&s).join(" ")));
        }
        Some(Value::Array(items)) => {
            let joined: Vec<String> = items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect();
            map.insert("scope".into(), Value::String(joined.join(" ")));
        }
        Some(_) => {
            map.remove("scope");
        }
        None => {}
    }
    if !matches!(map.get("token_type"), Some(Value::String(_))) {
        map.insert("token_type".into(), Value::String("bearer".into()));
    }
    (200, Some(Value::Object(map)))
}

/// Scopes as returned: space- or comma-separated.
pub fn split_scopes(raw: &str) -> Vec<String> {
    raw.split([' ', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn norm(status: u16, ct: &str, body: &str) -> (u16, Value) {
        let (s, v) = normalize_token_answer(status, ct, body.as_bytes());
        (s, v.expect("normalized"))
    }

    #[test]
    fn slack_user_tokens_are_lifted_and_comma_scopes_split() {
        let body = json!({"ok": true, "access_token": null, "authed_user": {"id": "U1", "access_token": "xoxp-1", "scope": "chat:write,channels:read", "token_type": "user"}}).to_string();
        let (status, v) = norm(200, "application/json", &body.replace("\"access_token\":null,", ""));
        assert_eq!(status, 200);
        assert_eq!(v["access_token"], "xoxp-1");
        assert_eq!(v["scope"], "chat:write channels:read");
    }

    #[test]
    fn slack_errors_become_oauth_errors() {
        let (status, v) = norm(200, "application/json", r#"{"ok": false, "error": "invalid_code"}"#);
        assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));
    }

    #[test]
    fn github_form_bodies_become_json() {
        let (status, v) =
            norm(200, "application/x-www-form-urlencoded", "access_token=gho_1&scope=repo%2Cuser&token_type=bearer");
        assert_eq!(status, 200);
        assert_eq!(v["access_token"], "gho_1");
        assert_eq!(v["scope"], "repo user");
        let (status, v) = norm(
            200,
            "application/x-www-form-urlencoded",
            "error=bad_verification_code&error_description=The+code+is+wrong",
        );
        assert_eq!((status, v["error"].as_str()), (400, Some("invalid_grant")));
    }

    #[test]
    fn expires_in_as_a_string_and_missing_token_type_are_repaired() {
        let (_, v) = norm(200, "application/json", r#"{"access_token": "a", "expires_in": "3599"}"#);
        assert_eq!(v["expires_in"], 3599);
        assert_eq!(v["token_type"], "bearer");
    }

    #[test]
    fn a_missing_scope_stays_missing() {
        let (_, v) = norm(200, "application/json", r#"{"access_token": "a", "token_type": "Bearer"}"#);
        assert!(v.get("scope").is_none());
    }
}
