//! The JSON API: `POST /api/v1/route` takes and returns the same objects as
//! `patchbay route --jsonl`.

use super::{AppError, AppState};
use crate::ranking::{RouteError, RouteRequest, RouteResult};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

pub async fn route(State(state): State<AppState>, body: Bytes) -> Result<Json<RouteResult>, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let request = RouteRequest::from_json(&value).map_err(bad_route)?;
    let result = state.router.route(&request).map_err(bad_route)?;
    Ok(Json(result))
}

pub fn bad_route(e: RouteError) -> AppError {
    match e {
        RouteError::PromptTooLong { .. } => AppError::PayloadTooLarge(e.to_string()),
        other => AppError::BadRequest(other.to_string()),
    }
}
