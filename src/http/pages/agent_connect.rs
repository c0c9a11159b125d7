//! **Connect for an agent** (`GET /apps/{app}/integrations/connect?connector=gmail&action=send_email`):
//! where the MCP server's "authorization required" answer sends a person. It says what the
//! agent asked to do and which permissions that takes, in plain words, and has one button
//! that starts the authorization for exactly that tool and those permissions (the connect
//! form with the action named, as the Try page's Reconnect posts it).

use super::{Access, Layout, PageError, render};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::mcp::authorize::{Standing, label};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ConnectQuery {
    connector: String,
    action: Option<String>,
}

#[derive(Template)]
#[template(path = "integrations/agent_connect.html")]
struct AgentConnectPage {
    layout: Layout,
    app_id: i64,
    connector: String,
    name: String,
    /// The action's id and its name, lowercased for the sentence.
    action: Option<(String, String)>,
    permissions: Vec<String>,
    /// `connect`, `reconnect`, or `ready` when nothing is missing.
    purpose: &'static str,
    /// What a provider on the customer's own host needs typed (a shop's name).
    asks: Vec<(String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Query(q): Query<ConnectQuery>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("connect tools")?;
    let connector = state.catalog.get(&q.connector).ok_or_else(PageError::not_found)?;
    let action = q.action.as_deref().and_then(|a| connector.action(a));
    let row = state.store.shared_connection(app_id, connector.id.as_str()).await?;
    let scopes: Vec<&String> = match action {
        Some(a) => a.scopes.iter().collect(),
        None => connector.auth.base_scopes.iter().collect(),
    };
    let purpose = match action.map(|a| Standing::of(connector, a, row.as_ref())) {
        Some(Standing::Ready) => "ready",
        _ if row.is_some() => "reconnect",
        _ => "connect",
    };
    let asks = if row.is_none() {
        connector.typed_values().map(|c| (c.name.clone(), c.label.clone())).collect()
    } else {
        Vec::new()
    };
    let page = AgentConnectPage {
        layout: Layout::for_app(format!("Connect {}", connector.name), &access, "integrations"),
        app_id,
        connector: connector.id.to_string(),
        name: connector.name.clone(),
        action: action.map(|a| (a.id.clone(), a.name.to_lowercase())),
        permissions: scopes.iter().map(|s| label(connector, s)).collect(),
        purpose,
        asks,
    };
    render(StatusCode::OK, &page)
}
