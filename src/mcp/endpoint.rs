//! `/mcp/apps/{app_id}`: the app's MCP server over Streamable HTTP. The app key opens it
//! (`Authorization: Bearer pbk_…`), as it opens the App API; then rmcp's transport answers
//! the JSON-RPC. Stateless, with JSON answers: no session lives in this process, so N
//! instances behind a balancer answer the same client alike.

use super::server::McpServer;
use crate::http::api::caller::bearer;
use crate::http::{AppError, AppState};
use crate::identity::keys;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use tower::ServiceExt;

pub async fn serve(State(state): State<AppState>, Path(app_id): Path<String>, req: Request) -> Response {
    let server = match open(&state, &app_id, req.headers()).await {
        Ok(server) => server,
        Err(refused) => return refused,
    };
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
    match service.oneshot(req).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// The app's server for a valid key of this app; a 401 otherwise (a key of another app
/// included: to an MCP client, the key it holds does not open this server).
async fn open(state: &AppState, app_id: &str, headers: &axum::http::HeaderMap) -> Result<McpServer, Response> {
    let app_id = app_id.parse::<i64>().map_err(|_| AppError::NotFound("no such app".into()).into_response())?;
    let key = match bearer(headers) {
        Some(presented) => {
            keys::authenticate(&state.store, presented).await.map_err(|e| AppError::from(e).into_response())?
        }
        None => None,
    };
    let Some(key) = key.filter(|k| k.app_id == app_id) else { return Err(unauthorized()) };
    let app = state.store.app(app_id).await.map_err(|e| AppError::from(e).into_response())?;
    let app = app.ok_or_else(|| AppError::NotFound("no such app".into()).into_response())?;
    Ok(McpServer::new(state.clone(), app, key.id))
}

fn unauthorized() -> Response {
    let mut response = AppError::Unauthorized.into_response();
    response.headers_mut().insert("www-authenticate", HeaderValue::from_static("Bearer realm=\"patchbay\""));
    response
}
