//! The sandbox plays each connector's API under `/sandbox/api/<connector>/…`, in the
//! shapes the catalog's bindings document, so that the code that calls a real provider
//! runs unchanged against it. Like a provider it checks the bearer token it issued (live,
//! for this connector, with the operation's scopes), answers in the provider's own shape,
//! and fails on request (`/sandbox/faults`): a 401, a 429 with `Retry-After`, or the
//! provider's error body. Each call is kept in the Sandbox outbox, decoded.

pub mod console;
mod credentials;
pub mod items;
pub mod keys;
mod matching;
pub mod outbox;
mod readable;

pub use credentials::relative_path;
pub use readable::email;

use crate::catalog::binding::Method;
use crate::catalog::template::{Resolve, Source, Template, render_json};
use crate::catalog::{AuthKind, Connector};
use crate::http::AppState;
use crate::store::{NewOutboxCall, now};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use matching::{Endpoint, Matched};
use serde_json::{Map, Value, json};

/// How long a forced rate limit asks callers to wait.
pub const RETRY_AFTER_SECS: u64 = 7;

/// What the sandbox can be asked to fail (the `sandbox_faults.kind` values), and what a
/// person calls each.
pub const FAULTS: [(&str, &str); 3] = [
    ("unauthorized", "Revoked token (401)"),
    ("rate_limited", "Rate limit (429, Retry-After)"),
    ("provider_error", "The provider's error answer"),
];

pub async fn play(
    State(state): State<AppState>,
    Path((connector_id, _)): Path<(String, String)>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(connector) =
        state.catalog.get(&connector_id).filter(|c| c.api.is_some() && (c.auth.kind.signs_in() || c.auth.kind.typed()))
    else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("the sandbox plays no API called '{connector_id}'") })),
        )
            .into_response();
    };
    let base = format!("{}{}/{connector_id}", state.settings.public_url(), super::API_PATH);
    let play = Play { state: &state, connector, base };
    match play.answer(&method, &uri, &headers, &body).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "the sandbox API failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "the sandbox failed; it has been logged" })))
                .into_response()
        }
    }
}

struct Play<'a> {
    state: &'a AppState,
    connector: &'a Connector,
    base: String,
}

/// Who is calling, as the credential presented says: the account, and what it may do.
pub(super) struct Caller {
    account: String,
    account_name: String,
    pub(super) scopes: Vec<String>,
}

impl Play<'_> {
    async fn answer(
        &self,
        method: &axum::http::Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Response, crate::store::StoreError> {
        let store = &self.state.store;
        let prefix = format!("{}/{}", super::API_PATH, self.connector.id);
        let path = uri.path().strip_prefix(&prefix).unwrap_or("/");
        let (caller, path, token) = if self.connector.auth.kind.typed() {
            match keys::check(self.connector, headers, path) {
                Ok(rest) => {
                    // A key holds whatever its provider granted it: every permission.
                    let scopes = self.connector.permissions.iter().map(|p| p.scope.clone()).collect();
                    let account = "sandbox@example.com".into();
                    (Caller { account, account_name: String::new(), scopes }, rest, String::new())
                }
                Err(why) => return Ok(self.error(StatusCode::UNAUTHORIZED, why)),
            }
        } else {
            let token = match self.connector.auth.kind {
                AuthKind::Oauth1 => match self.signed_token(method, uri, headers, body).await? {
                    Ok(token) => token,
                    Err(refused) => return Ok(refused),
                },
                _ => match self.bearer_token(headers) {
                    Some(token) => token,
                    None => {
                        let message = "send an access token: Authorization: Bearer <token>";
                        return Ok(self.error(StatusCode::UNAUTHORIZED, message));
                    }
                },
            };
            let access = store.sandbox_access(&super::digest(&token), now()).await?;
            let Some(access) = access.filter(|a| a.grant.connector == self.connector.id.as_str()) else {
                let message = "the access token is unknown, expired, revoked or another app's";
                return Ok(self.error(StatusCode::UNAUTHORIZED, message));
            };
            if let Some(answered) = self.account_or_revocation(method, path, &access, &token).await? {
                return Ok(answered);
            }
            let caller = Caller {
                account: access.grant.account_email.clone(),
                account_name: access.grant.account_name.clone(),
                scopes: access.scopes,
            };
            (caller, path, token)
        };
        let token = token.as_str();
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let read = readable::readable(content_type, body);
        let query: Map<String, Value> = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        let matched =
            Method::parse(method.as_str()).and_then(|m| matching::find(self.connector, m, path, &query, &read));
        let Some(matched) = matched else {
            let message = format!("{} has no endpoint {method} {path}", super::provider_name(self.connector));
            return Ok(self.error(StatusCode::NOT_FOUND, &message));
        };
        if self.connector.auth.kind.typed()
            && let Some(id) = keys::foreign_id(self.connector, &matched.params)
        {
            let message = format!("Object with ID '{id}' does not exist or this key cannot reach it");
            return Ok(self.error(StatusCode::BAD_REQUEST, &message));
        }
        let scope = Scope {
            params: &matched.params,
            query: &query,
            body: &read,
            account: &caller.account,
            account_name: &caller.account_name,
            base: &self.base,
            id: new_id(),
            status: 0,
            message: String::new(),
        };
        let mut listed = None;
        let response = match store.take_sandbox_fault(self.connector.id.as_str()).await? {
            Some(kind) => self.fault(&kind, token).await?,
            None if matched.is_poll() => {
                let (response, count) = self.items(&matched, &caller, &scope).await?;
                listed = count;
                response
            }
            None => self.play(&matched, &caller, &scope),
        };
        let (operation, summary) = match &matched.endpoint {
            Endpoint::PollList { trigger, .. } => {
                let count = listed.map_or(String::new(), |n| format!(" ({n} listed)"));
                (Some(trigger.id.as_str()), format!("checked for {}{count}", trigger.name.to_lowercase()))
            }
            Endpoint::PollFetch { trigger, .. } => {
                let id = matched.params.get("=item_id").map(crate::catalog::template::text_of).unwrap_or_default();
                (Some(trigger.id.as_str()), format!("read item {id} ({})", trigger.name.to_lowercase()))
            }
            Endpoint::Step { action, step } => {
                let line = step
                    .summary
                    .as_deref()
                    .and_then(|s| Template::parse(s).ok())
                    .and_then(|t| t.render_text(&scope, &|_, v| Ok(v.to_owned())).ok().flatten());
                (Some(action.id.as_str()), line.unwrap_or_else(|| action.name.clone()))
            }
            Endpoint::Lookup(field) => (None, format!("looked up the {}", field.label)),
            Endpoint::Check(_) => (None, "checked the credentials".to_owned()),
        };
        let status = response.status().as_u16();
        let refused = if status < 300 { String::new() } else { format!(" — refused with {status}") };
        let line = format!("{}: {summary}{refused}", self.connector.name);
        let recorded = NewOutboxCall {
            connector: self.connector.id.as_str(),
            operation,
            method: method.as_str(),
            path,
            status,
            summary: &line,
            body: &read.to_string(),
        };
        store.record_outbox(recorded).await?;
        Ok(response)
    }

    /// The documented answer, once the token's scopes allow the operation.
    fn play(&self, matched: &Matched<'_>, caller: &Caller, scope: &Scope<'_>) -> Response {
        let (action, step) = match &matched.endpoint {
            Endpoint::Step { action, step } => (action, step),
            Endpoint::Check(step) => {
                let example = step.example.as_ref().and_then(|e| render_json(e, scope).ok().flatten());
                return Json(example.unwrap_or(Value::Null)).into_response();
            }
            Endpoint::Lookup(field) => {
                let example = field.example.as_ref().and_then(|e| render_json(e, scope).ok().flatten());
                return Json(example.unwrap_or(Value::Null)).into_response();
            }
            Endpoint::PollList { .. } | Endpoint::PollFetch { .. } => {
                return self.error(StatusCode::INTERNAL_SERVER_ERROR, "a poll is answered from the sandbox's items");
            }
        };
        let missing: Vec<&String> = action.scopes.iter().filter(|s| !caller.scopes.contains(s)).collect();
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            return self.error(StatusCode::FORBIDDEN, &format!("the token lacks the scope {}", names.join(" ")));
        }
        let status = step.example_status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::OK);
        let mut response = match step.example.as_ref().and_then(|e| render_json(e, scope).ok().flatten()) {
            Some(answer) if status != StatusCode::NO_CONTENT => (status, Json(answer)).into_response(),
            _ => status.into_response(),
        };
        for (name, template) in &step.example_headers {
            let value = Template::parse(template)
                .ok()
                .and_then(|t| t.render_text(scope, &|_, v| Ok(v.to_owned())).ok().flatten());
            if let (Ok(name), Some(Ok(value))) =
                (name.parse::<axum::http::HeaderName>(), value.map(|v| HeaderValue::from_str(&v)))
            {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }

    /// A failure the sandbox was asked to play.
    async fn fault(&self, kind: &str, token: &str) -> Result<Response, crate::store::StoreError> {
        Ok(match kind {
            "unauthorized" => {
                // As a provider does when a grant is withdrawn: this token stops working.
                self.state.store.revoke_sandbox_token(&super::digest(token), self.connector.id.as_str()).await?;
                self.error(StatusCode::UNAUTHORIZED, "the access token was revoked (a sandbox fault)")
            }
            "rate_limited" => {
                let mut r = self.error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded (a sandbox fault)");
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
                r
            }
            _ => self.error(StatusCode::BAD_REQUEST, "the request was refused (a sandbox fault)"),
        })
    }

    /// An error in the provider's own shape (`[api] error_example`) and status (Slack
    /// answers 200 with `"ok": false`, except for rate limits).
    fn error(&self, status: StatusCode, message: &str) -> Response {
        let api = self.connector.api.as_ref();
        let shape = api
            .and_then(|a| a.error_example.clone())
            .unwrap_or_else(|| json!({ "error": { "code": "{=status}", "message": "{=message}" } }));
        let empty = Map::new();
        let scope = Scope {
            params: &empty,
            query: &empty,
            body: &Value::Null,
            account: "",
            account_name: "",
            base: &self.base,
            id: new_id(),
            status: status.as_u16(),
            message: message.to_owned(),
        };
        let body = render_json(&shape, &scope).ok().flatten().unwrap_or_else(|| json!({ "error": message }));
        let status = match api.and_then(|a| a.error_status) {
            Some(s) if status != StatusCode::TOO_MANY_REQUESTS => StatusCode::from_u16(s).unwrap_or(status),
            _ => status,
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"patchbay sandbox\", error=\"invalid_token\""),
            );
        }
        response
    }
}

fn new_id() -> String {
    crate::digest::random_token()[..16].to_owned()
}

/// The values a sandbox answer may quote: the request's path placeholders, query and
/// body, and a few made up for the answer.
#[derive(Clone)]
struct Scope<'a> {
    params: &'a Map<String, Value>,
    query: &'a Map<String, Value>,
    body: &'a Value,
    account: &'a str,
    account_name: &'a str,
    base: &'a str,
    id: String,
    status: u16,
    message: String,
}

impl Resolve for Scope<'_> {
    fn resolve(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Input(n) => self.params.get(n).or_else(|| self.query.get(n)).or_else(|| self.body.get(n)).cloned(),
            Source::Body(p) => self.body.pointer(p).cloned(),
            Source::Query(n) => self.query.get(n).cloned(),
            Source::Computed(n) => Some(match n.as_str() {
                "id" | "uid" => Value::String(self.id.clone()),
                "ts" => Value::String(format!(
                    "{}.{}",
                    now(),
                    self.id.bytes().take(6).map(|b| char::from(b'0' + b % 10)).collect::<String>()
                )),
                "now" => Value::String(crate::catalog::filters::rfc3339(chrono::Utc::now())),
                "account" => Value::String(self.account.to_owned()),
                "account_name" => Value::String(self.account_name.to_owned()),
                // A handle made of the address's local part, as Trello's usernames look.
                "username" => Value::String(
                    self.account
                        .split('@')
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect(),
                ),
                "base" => Value::String(self.base.to_owned()),
                "status" => Value::from(self.status),
                "message" => Value::String(self.message.clone()),
                _ => return None,
            }),
            Source::Config(_) | Source::Step(..) => None,
        }
    }
}
