//! **Confirm an agent's call** (`/apps/{app}/agents/confirm/{token}`): where the MCP server
//! sends a person when the app's owner wants write actions confirmed. It shows the exact
//! call in words (the tool, the action, each input) and lets a builder approve it once or
//! refuse it; the agent's retry with the same inputs then runs, or is asked again.

use super::{Access, Layout, PageError, render};
use crate::digest::sha256_hex;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::store::{ConfirmationRow, now};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

/// Longest input value shown; the rest is cut with an ellipsis.
const SHOWN_CHARS: usize = 400;

#[derive(Template)]
#[template(path = "integrations/agent_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    app_id: i64,
    token: String,
    title: String,
    inputs: Vec<(String, String)>,
    /// `waiting`, `approved`, `refused`, `used` or `expired`.
    standing: &'static str,
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, token)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("confirm agents' calls")?;
    let row = waiting_call(&state, app_id, &token).await?;
    show(&state, &access, row, token)
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, token)): Path<(i64, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("confirm agents' calls")?;
    let row = waiting_call(&state, app_id, &token).await?;
    let approved = form.decision == "approve";
    if state.store.decide_confirmation(&row.token_hash, approved, user.id).await? {
        let what = if approved { "agent.call_approved" } else { "agent.call_refused" };
        let connector = row.action.split_once('.').map(|(c, _)| c);
        state.store.audit(Some(app_id), Some(user.id), what, connector, None, Some(&row.action)).await?;
    }
    let row = waiting_call(&state, app_id, &token).await?;
    show(&state, &access, row, token)
}

async fn waiting_call(state: &AppState, app_id: i64, token: &str) -> Result<ConfirmationRow, PageError> {
    let row = state.store.confirmation(&sha256_hex(token)).await?;
    row.filter(|r| r.app_id == app_id).ok_or_else(PageError::not_found)
}

fn show(state: &AppState, access: &Access, row: ConfirmationRow, token: String) -> Result<Response, PageError> {
    let (connector_id, action_id) = row.action.split_once('.').unwrap_or((&row.action, ""));
    let connector = state.catalog.get(connector_id);
    let title = match connector.and_then(|c| c.action(action_id).map(|a| (c, a))) {
        Some((c, a)) => format!("{}: {}", c.name, a.name),
        None => row.action.clone(),
    };
    let standing = match (row.decision.as_deref(), row.used_at) {
        (_, Some(_)) => "used",
        (Some("approved"), None) if row.expires_at > now() => "approved",
        (Some("refused"), _) => "refused",
        _ if row.expires_at <= now() => "expired",
        _ => "waiting",
    };
    let page = ConfirmPage {
        layout: Layout::for_app("Confirm an agent's call", access, "integrations"),
        app_id: access.app.id,
        token,
        title,
        inputs: inputs_in_words(&row.inputs),
        standing,
    };
    render(StatusCode::OK, &page)
}

/// Each input as "name: value", long values cut.
fn inputs_in_words(raw: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) else { return Vec::new() };
    map.into_iter()
        .map(|(name, value)| {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let shown: String = text.chars().take(SHOWN_CHARS).collect();
            let cut = if shown.len() < text.len() { "…" } else { "" };
            (name.replace('_', " "), format!("{shown}{cut}"))
        })
        .collect()
}
