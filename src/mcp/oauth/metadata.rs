//! The two documents an MCP client reads before it signs in: where the MCP server's
//! authorization server is (RFC 9728), and what that server supports (RFC 8414).

use super::{SCOPE, resource_of};
use crate::http::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `/.well-known/oauth-protected-resource/mcp/apps/{app_id}`. Any numeric id gets one: the
/// document says nothing about whether the app exists.
pub async fn resource(State(state): State<AppState>, Path(app_id): Path<i64>) -> Response {
    let base = state.settings.public_url();
    let document = json!({
        "resource": resource_of(&base, app_id),
        "authorization_servers": [base],
        "bearer_methods_supported": ["header"],
        "scopes_supported": [SCOPE],
    });
    public(Json(document).into_response())
}

/// `/.well-known/oauth-authorization-server`.
pub async fn server(State(state): State<AppState>) -> Response {
    let base = state.settings.public_url();
    let document = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/mcp/oauth/authorize"),
        "token_endpoint": format!("{base}/mcp/oauth/token"),
        "registration_endpoint": format!("{base}/mcp/oauth/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": [SCOPE],
        "authorization_response_iss_parameter_supported": true,
        "client_id_metadata_document_supported": true,
    });
    public(Json(document).into_response())
}

/// Browser-based clients read these documents from other origins.
fn public(mut response: Response) -> Response {
    response.headers_mut().insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response
}

/// The MCP endpoint's `WWW-Authenticate` for a request without a valid token: where the
/// client learns how to get one.
pub fn challenge(base: &str, app_id: i64) -> String {
    format!(
        "Bearer realm=\"patchbay\", resource_metadata=\"{base}/.well-known/oauth-protected-resource/mcp/apps/{app_id}\", \
         scope=\"{SCOPE}\""
    )
}
