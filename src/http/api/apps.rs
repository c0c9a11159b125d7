//! `PUT /api/v1/apps/{app_id}/structure`: the host tells patchbay what its app is made
//! of (pages, entities and fields, the time zone its flows run in).

use super::caller::AppCaller;
use crate::app::structure_edit;
use crate::http::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::Value;

pub async fn get_structure(caller: AppCaller) -> Result<Json<Value>, AppError> {
    Ok(Json(structure_edit::stored_json(&caller.app)))
}

pub async fn put_structure(
    State(state): State<AppState>,
    caller: AppCaller,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    if caller.key().is_none() {
        return Err(AppError::Forbidden("changing the structure needs an app key".into()));
    }
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let saved = structure_edit::save(&state.store, &caller.app, &value).await.map_err(|e| match e {
        structure_edit::EditError::Invalid(problems) => AppError::BadRequest(problems.join("; ")),
        structure_edit::EditError::Store(e) => e.into(),
    })?;
    Ok(Json(saved))
}
