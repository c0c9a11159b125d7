//! patchbay as the OAuth 2.1 authorization server of its MCP servers, as the MCP
//! specification (2025-11-25) asks of a server that agents' clients sign in to:
//! - `metadata`: protected resource metadata (RFC 9728), which the MCP endpoint's 401 names,
//!   and authorization server metadata (RFC 8414);
//! - `register`: dynamic client registration (RFC 7591), public clients only;
//! - `client_document`: clients whose id is the URL of their metadata document;
//! - `request`: an authorization request checked (PKCE S256, an exactly registered
//!   redirect, `resource` naming one app's MCP server, RFC 8707); the consent page is
//!   `http::pages::agent_authorize`, where a builder of that app allows or denies it;
//! - `tokens`: codes for tokens, refresh with rotation, and the check the MCP endpoint makes.
//!
//! A token opens one app's MCP server, as the person who granted it may while they stay a
//! builder of the app. It is never passed to a provider: calls to providers use the app's
//! own connections, as with an app key.

mod client_document;
pub mod metadata;
mod register;
pub mod request;
mod token;
pub mod tokens;

use crate::http::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/oauth-protected-resource/mcp/apps/{app_id}", get(metadata::resource))
        .route("/.well-known/oauth-authorization-server", get(metadata::server))
        .route("/mcp/oauth/register", post(register::register))
        .route("/mcp/oauth/token", post(token::token))
}

/// The scope a token carries: the app's MCP server, whole.
pub const SCOPE: &str = "mcp";

/// The MCP server's URL for an app: the resource its tokens are bound to.
pub fn resource_of(base: &str, app_id: i64) -> String {
    format!("{base}/mcp/apps/{app_id}")
}

/// The app a resource URL names, when it is one of this server's MCP servers.
pub fn app_of_resource(base: &str, resource: &str) -> Option<i64> {
    let rest = resource.strip_prefix(base)?.strip_prefix("/mcp/apps/")?;
    let id = rest.strip_suffix('/').unwrap_or(rest);
    // Spelt as this server spells it: no sign, no leading zeros.
    id.parse::<i64>().ok().filter(|n| *n > 0 && n.to_string() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_names_one_app_of_this_server_exactly() {
        let base = "https://pb.example";
        assert_eq!(app_of_resource(base, "https://pb.example/mcp/apps/7"), Some(7));
        assert_eq!(app_of_resource(base, "https://pb.example/mcp/apps/7/"), Some(7));
        for other in [
            "https://pb.example/mcp/apps/07",
            "https://pb.example/mcp/apps/+7",
            "https://pb.example/mcp/apps/0",
            "https://pb.example/mcp/apps/7/tools",
            "https://pb.example.evil/mcp/apps/7",
            "https://other.example/mcp/apps/7",
            "https://pb.example/api/v1/apps/7",
        ] {
            assert_eq!(app_of_resource(base, other), None, "{other}");
        }
    }
}
