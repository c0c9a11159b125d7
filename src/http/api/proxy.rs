//! `ANY /api/v1/apps/{app_id}/proxy/{connector}/{*path}`: the host's backend calls the
//! provider's API through patchbay, which adds the credential. The answer streams back as
//! the provider sent it (status, body, `Retry-After`), within the size bound.

use super::caller::AppCaller;
use super::connections::action_error;
use crate::actions::Runner;
use crate::actions::proxy::{ProxyCall, ProxyError, passes_response_header};
use crate::actions::send::SendError;
use crate::http::{AppError, AppState};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn forward(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, connector, _)): Path<(i64, String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    if caller.key().is_none() {
        return Err(AppError::Forbidden("the proxy is for app keys".into()));
    }
    let limits = &state.settings.actions;
    let body = axum::body::to_bytes(body, limits.max_request_bytes).await.map_err(|_| {
        AppError::PayloadTooLarge(format!("the proxy passes bodies up to {} bytes", limits.max_request_bytes))
    })?;
    // The raw path, as sent: the checks must see encoded slashes and dots, which the
    // router's decoded parameter would hide.
    let marker = format!("/proxy/{connector}/");
    let raw = uri.path().split_once(&marker).map(|(_, rest)| rest).unwrap_or_default();
    let call = ProxyCall { method: method.as_str(), path: raw, query: uri.query(), headers: &headers, body };
    let runner = Runner::new(state.oauth.clone(), state.connections.clone());
    match runner.proxy(caller.app.id, &connector, call).await {
        Ok(answer) => Ok(stream_back(answer, limits.max_response_bytes)),
        Err(e) => Ok(refused(e)),
    }
}

fn refused(e: ProxyError) -> Response {
    let (status, message) = match e {
        ProxyError::Action(a) => {
            let a = action_error(a);
            (a.status(), a.public_message())
        }
        ProxyError::Path(p) => (StatusCode::BAD_REQUEST, p.to_string()),
        ProxyError::AsUser => (StatusCode::BAD_REQUEST, e.to_string()),
        ProxyError::Method(_) => (StatusCode::METHOD_NOT_ALLOWED, e.to_string()),
        ProxyError::Redirect(_) => (StatusCode::BAD_GATEWAY, e.to_string()),
        ProxyError::Send(SendError::Timeout { .. }) => (StatusCode::GATEWAY_TIMEOUT, e.to_string()),
        ProxyError::Send(SendError::Unreachable { .. }) => (StatusCode::BAD_GATEWAY, e.to_string()),
        ProxyError::Send(SendError::Credential { .. }) => (StatusCode::CONFLICT, e.to_string()),
        ProxyError::Send(SendError::Use(u)) => {
            let a = action_error(u.into());
            (a.status(), a.public_message())
        }
    };
    (status, Json(json!({ "error": message }))).into_response()
}

/// The provider's answer, its body streamed and cut off past `max` bytes.
fn stream_back(answer: reqwest::Response, max: usize) -> Response {
    if answer.content_length().is_some_and(|n| n > max as u64) {
        let message = format!("the provider's answer is larger than the proxy passes ({max} bytes)");
        return (StatusCode::BAD_GATEWAY, Json(json!({ "error": message }))).into_response();
    }
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if passes_response_header(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let chunks = futures::stream::unfold((answer, 0usize), move |(mut answer, sent)| async move {
        match answer.chunk().await {
            Ok(Some(chunk)) if sent + chunk.len() > max => {
                Some((Err(std::io::Error::other("the answer grew past the proxy's limit")), (answer, usize::MAX)))
            }
            Ok(Some(chunk)) => {
                let sent = sent + chunk.len();
                Some((Ok(chunk), (answer, sent)))
            }
            Ok(None) => None,
            Err(e) if sent != usize::MAX => Some((Err(std::io::Error::other(e.without_url())), (answer, usize::MAX))),
            Err(_) => None,
        }
    });
    let mut response = Response::new(Body::from_stream(chunks));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
