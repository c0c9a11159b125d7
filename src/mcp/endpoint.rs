//! `/mcp/apps/{app_id}`: the app's MCP server over Streamable HTTP. The app key opens it
//! (`Authorization: Bearer pbk_…`), as it opens the App API, and so does the token of an
//! agent a builder authorized (`oauth`); then rmcp's transport answers the JSON-RPC. Stateless, with JSON answers: no session lives in this process, so N
//! instances behind a balancer answer the same client alike. A client's session (what it
//! said at `initialize`) is a database row: see `session`.

use super::caller::Caller;
use super::oauth::{metadata, tokens};
use super::server::McpServer;
use super::session::{self, Hello, Refused};
use crate::actions::proxy::AS_USER_HEADER;
use crate::http::api::caller::bearer;
use crate::http::{AppError, AppState};
use crate::identity::keys;
use crate::oauth::app_user::valid_user_ref;
use crate::store::StoreError;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

pub async fn serve(State(state): State<AppState>, Path(app_id): Path<String>, req: Request) -> Response {
    let server = match open(&state, &app_id, req.headers()).await {
        Ok(server) => server,
        Err(refused) => return refused,
    };
    let (app_id, caller) = (server.app.id, server.caller.clone());
    if req.method() == Method::DELETE && req.headers().contains_key(session::HEADER) {
        return end_session(&state, req.headers(), app_id).await;
    }
    let max = state.settings.http.max_body_bytes;
    let (req, hello) = match checked(req, max).await {
        Ok(checked) => checked,
        Err(refused) => return refused,
    };
    // A client saying hello starts a new session; any other request may name its own.
    let session = match &hello {
        Some(_) => None,
        None => match session::find(&state.store, req.headers(), app_id, &caller).await {
            Ok(session) => session,
            Err(Refused::Unknown) => return session_unknown(),
            Err(Refused::Store(e)) => return AppError::from(e).into_response(),
        },
    };
    let server = server.in_session(session);
    let answering = server.clone();
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(state.settings.http.max_body_bytes)
        // rmcp's Host check guards keyless local servers against DNS rebinding; here every
        // request carries the app key, which a rebinding page cannot have, and patchbay
        // answers on whatever public name its proxy gives it.
        .disable_allowed_hosts();
    let service =
        StreamableHttpService::new(move || Ok(server.clone()), Arc::new(NeverSessionManager::default()), config);
    let response = match service.oneshot(req).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let mut response = as_json_rpc(response).await;
    if let Some(hello) = hello.filter(|_| response.status() == StatusCode::OK) {
        match start_session(&state, &answering, &hello).await {
            Ok(id) => {
                let id = HeaderValue::from_str(&id).expect("a random token is a header value");
                response.headers_mut().insert(session::HEADER, id);
            }
            // The client is still answered, statelessly, as one that sends no session.
            Err(e) => tracing::warn!(app = app_id, error = %e, "could not start an MCP session"),
        }
    }
    response
}

/// A new session, which knows the tools as they are now: a change from here on is told to
/// the client even if it never asked for the list.
async fn start_session(state: &AppState, server: &McpServer, hello: &Hello) -> Result<String, StoreError> {
    let tools = server.tools_digest().await?;
    session::start(&state.store, server.app.id, &server.caller, hello, &tools).await
}

/// `DELETE` with the session's id: the client is done with it.
async fn end_session(state: &AppState, headers: &HeaderMap, app_id: i64) -> Response {
    match session::end(&state.store, headers, app_id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => session_unknown(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The specification's answer to a session id the server does not know: 404, after which
/// the client starts a new session.
fn session_unknown() -> Response {
    let message = "this MCP session is over or was never started here: start a new one with initialize";
    rpc_error(StatusCode::NOT_FOUND, INVALID_REQUEST, message)
}

/// A POST body that is not JSON gets JSON-RPC's parse error, and JSON that is no JSON-RPC
/// message its invalid-request error, here: rmcp answers both with a plain-text 415.
/// An `initialize` request also says who its client is.
async fn checked(req: Request, max: usize) -> Result<(Request, Option<Hello>), Response> {
    if req.method() != Method::POST {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, max).await.map_err(|_| {
        rpc_error(StatusCode::PAYLOAD_TOO_LARGE, INVALID_REQUEST, &format!("the body is larger than {max} bytes"))
    })?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| rpc_error(StatusCode::BAD_REQUEST, PARSE_ERROR, &format!("the body is not JSON: {e}")))?;
    let hello = Hello::of(&value);
    if serde_json::from_value::<ClientJsonRpcMessage>(value).is_err() {
        let message = "the body is not a JSON-RPC 2.0 request, notification or response";
        return Err(rpc_error(StatusCode::BAD_REQUEST, INVALID_REQUEST, message));
    }
    Ok((Request::from_parts(parts, Body::from(bytes)), hello))
}

/// rmcp's own refusals (a missing `Accept`, a wrong method) are plain text: the client
/// gets the same words as a JSON-RPC error, with the same status.
async fn as_json_rpc(response: Response) -> Response {
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/event-stream"));
    if !response.status().is_client_error() || json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024).await.unwrap_or_default();
    let mut answer = rpc_error(parts.status, INVALID_REQUEST, String::from_utf8_lossy(&text).trim());
    if let Some(allow) = parts.headers.get("allow") {
        answer.headers_mut().insert("allow", allow.clone());
    }
    answer
}

const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

fn rpc_error(status: StatusCode, code: i32, message: &str) -> Response {
    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    (status, Json(body)).into_response()
}

/// The app's server for a valid key of this app, or a valid token of an agent authorized
/// for it; a 401 otherwise (a key or token of another app included: to an MCP client, what
/// it holds does not open this server), which says where to get a token.
async fn open(state: &AppState, app_id: &str, headers: &HeaderMap) -> Result<McpServer, Response> {
    let app_id = app_id.parse::<i64>().map_err(|_| AppError::NotFound("no such app".into()).into_response())?;
    let caller = match bearer(headers) {
        Some(presented) => caller(state, presented, app_id).await.map_err(|e| AppError::from(e).into_response())?,
        None => None,
    };
    let Some(caller) = caller else { return Err(unauthorized(state, app_id)) };
    let app = state.store.app(app_id).await.map_err(|e| AppError::from(e).into_response())?;
    let app = app.ok_or_else(|| AppError::NotFound("no such app".into()).into_response())?;
    let person = match headers.get(AS_USER_HEADER).map(|v| v.to_str().map(str::trim)) {
        None => None,
        Some(Ok(person)) if valid_user_ref(person) => Some(person.to_owned()),
        Some(_) => {
            let message = "X-Patchbay-As-User must be the app user's id in your app: 1 to 200 plain characters";
            return Err(AppError::BadRequest(message.into()).into_response());
        }
    };
    Ok(McpServer::new(state.clone(), app, caller).acting_for(person))
}

async fn caller(state: &AppState, presented: &str, app_id: i64) -> Result<Option<Caller>, StoreError> {
    if let Some(key) = keys::authenticate(&state.store, presented).await? {
        return Ok((key.app_id == app_id).then_some(Caller::Key(key.id)));
    }
    Ok(tokens::verify(&state.store, presented, app_id).await?.map(Caller::agent))
}

fn unauthorized(state: &AppState, app_id: i64) -> Response {
    let mut response = AppError::Unauthorized.into_response();
    let challenge = metadata::challenge(&state.settings.public_url(), app_id);
    if let Ok(challenge) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert("www-authenticate", challenge);
    }
    response
}
