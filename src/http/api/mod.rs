//! The JSON API: `POST /api/v1/route` (the router, as `patchbay route --jsonl`), and the
//! App API under `/api/v1/apps/{app_id}/` for the host's backend, opened by an app key.

mod actions;
mod app_users;
mod apps;
pub mod caller;
mod connections;
mod flows;
mod proxy;
mod route;

use crate::http::AppState;
use axum::Router;
use axum::routing::{any, get, post, put};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/route", post(route::route))
        .route("/api/v1/apps/{app_id}/structure", put(apps::put_structure).get(apps::get_structure))
        .route("/api/v1/apps/{app_id}/connections", get(connections::list))
        .route("/api/v1/apps/{app_id}/connections/{connector}", get(connections::one))
        .route("/api/v1/apps/{app_id}/proxy/{connector}/{*path}", any(proxy::forward))
        .route("/api/v1/apps/{app_id}/actions/{target}", post(actions::run))
        .route("/api/v1/apps/{app_id}/flows", get(flows::list))
        .route("/api/v1/apps/{app_id}/flows/{flow_id}/activate", post(flows::activate))
        .route("/api/v1/apps/{app_id}/flows/{flow_id}/pause", post(flows::pause))
        .route("/api/v1/apps/{app_id}/flows/{flow_id}/runs", post(flows::start))
        .route("/api/v1/apps/{app_id}/runs/{run_id}", get(flows::run))
        .route("/api/v1/apps/{app_id}/events", post(flows::event))
        .route("/api/v1/apps/{app_id}/app-user-connectors", post(app_users::set_up))
        .route("/api/v1/apps/{app_id}/app-users/{user_ref}/connect-sessions", post(app_users::connect_session))
        .route("/api/v1/apps/{app_id}/app-users/{user_ref}/connections", get(app_users::connections))
        .route(
            "/api/v1/apps/{app_id}/app-users/{user_ref}/connections/{connector}",
            get(app_users::connection).delete(app_users::disconnect),
        )
        .fallback(api_not_found)
}

async fn api_not_found() -> crate::http::AppError {
    crate::http::AppError::NotFound("no such API route".into())
}
