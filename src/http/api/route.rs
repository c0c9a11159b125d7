//! The JSON API: `POST /api/v1/route` takes and returns the same objects as
//! `patchbay route --jsonl`. `?llm=true|false` forces or forbids the LLM; without it
//! the settings decide. Open in development; in production it needs an app key (of any
//! app), like the rest of the API.

use crate::http::{AppError, AppState};
use crate::ranking::{RouteError, RouteMode, RouteRequest, RouteResult};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct RouteQuery {
    llm: Option<bool>,
}

pub async fn route(
    State(state): State<AppState>,
    Query(query): Query<RouteQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RouteResult>, AppError> {
    super::caller::key_in_production(&state, &headers).await?;
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    let request = RouteRequest::from_json(&value).map_err(bad_route)?;
    let result = state.routing.route(&request, RouteMode::from_choice(query.llm)).await.map_err(bad_route)?;
    Ok(Json(result))
}

pub fn bad_route(e: RouteError) -> AppError {
    match e {
        RouteError::PromptTooLong { .. } => AppError::PayloadTooLarge(e.to_string()),
        other => AppError::BadRequest(other.to_string()),
    }
}
