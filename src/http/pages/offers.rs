//! The one-click offer in the chat ("Add a Deal entity (title, amount, stage) to this
//! app"): adds the data to the app's structure, then wires the request it was made for.
//! The work is in `chat::flows::accept_offer`; this only checks who asks and redirects.

use super::{Access, PageError};
use crate::chat;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

pub async fn take(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, message_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("change the app's data")?;
    let Some(message) = state.store.message(message_id).await?.filter(|m| m.app_id == app_id) else {
        return Err(PageError::not_found());
    };
    let answer = chat::flows::accept_offer(&state.store, &state.catalog, &access.app, &user, &message).await?;
    let anchor = answer.map_or(message_id, |m| m.id);
    Ok(Redirect::to(&format!("/apps/{app_id}/chat#m-{anchor}")).into_response())
}
