//! The JSON API: `POST /api/v1/route` (the router, as `patchbay route --jsonl`), and the
//! App API under `/api/v1/apps/{app_id}/` for the host's backend, opened by an app key.

mod apps;
pub mod caller;
mod route;

use crate::http::AppState;
use axum::Router;
use axum::routing::{post, put};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/route", post(route::route))
        .route("/api/v1/apps/{app_id}/structure", put(apps::put_structure).get(apps::get_structure))
        .fallback(api_not_found)
}

async fn api_not_found() -> crate::http::AppError {
    crate::http::AppError::NotFound("no such API route".into())
}
