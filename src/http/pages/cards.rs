//! The builder's decisions on a card: Skip ("<Tool> was not added") and bringing a
//! skipped card back.

use super::{Access, PageError};
use crate::chat;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn skip(
    state: State<AppState>,
    user: CurrentUser,
    path: Path<(i64, i64, String)>,
) -> Result<Response, PageError> {
    decide(state, user, path, "skipped").await
}

pub async fn restore(
    state: State<AppState>,
    user: CurrentUser,
    path: Path<(i64, i64, String)>,
) -> Result<Response, PageError> {
    decide(state, user, path, "pending").await
}

async fn decide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, message_id, connector)): Path<(i64, i64, String)>,
    decision: &str,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("decide which tools to connect")?;
    card_exists(&state, app_id, message_id, &connector).await?;
    state.store.set_card_state(message_id, &connector, decision, None, Some(user.id)).await?;
    let action = if decision == "skipped" { "card_skipped" } else { "card_restored" };
    state.store.audit(Some(app_id), Some(user.id), action, Some(&connector), None, None).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/chat#card-{message_id}-{connector}")).into_response())
}

/// The message must be this app's and show a card for the connector.
pub async fn card_exists(state: &AppState, app_id: i64, message_id: i64, connector: &str) -> Result<(), PageError> {
    let message =
        state.store.message(message_id).await?.filter(|m| m.app_id == app_id).ok_or_else(PageError::not_found)?;
    if chat::payload_of(&message).cards.iter().any(|c| c == connector) { Ok(()) } else { Err(PageError::not_found()) }
}
