//! HTTP: each area has its router and view structs; handlers parse, call one pipeline
//! step, and render. `guard/` holds what every request passes through first.

pub(crate) mod api;
mod app_user_connect;
pub mod auth;
pub(crate) mod connect;
mod credentials;
mod error;
pub mod guard;
mod health;
pub mod pages;
mod panic;
pub mod serve;
mod state;

pub use error::AppError;
pub use panic::install_hook as install_panic_hook;
pub use state::AppState;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .merge(api::router())
        .route("/mcp/apps/{app_id}", any(crate::mcp::endpoint::serve))
        .merge(crate::mcp::oauth::router())
        .route("/apps/{app_id}/connect", post(connect::connect))
        .route("/apps/{app_id}/connect/credentials", post(credentials::connect))
        .route(
            "/apps/{app_id}/integrations/{id}/credentials",
            get(credentials::show_replace).post(credentials::replace),
        )
        .route("/oauth/callback", get(connect::callback))
        .route("/connect/{token}", get(app_user_connect::page).post(app_user_connect::choose))
        .merge(pages::router())
        .merge(auth::router(&settings))
        .merge(crate::sandbox::router(&settings))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        // Innermost first: a handler's panic and its time limit are caught inside the
        // front door, so their answers get the headers and request id too.
        .layer(DefaultBodyLimit::max(settings.http.max_body_bytes))
        .layer(CatchPanicLayer::custom(panic::answer))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_millis(settings.http.request_timeout_ms),
        ))
        .layer(from_fn_with_state(state.clone(), guard::front_door))
        .with_state(state);
    // Liveness answers before any of that: it must stay cheap and answer under load.
    Router::new().route("/livez", get(health::livez)).merge(app)
}

/// Periodic housekeeping: tokens that expire within the margin are refreshed; expired
/// authorizations, sessions, sign-in requests and old records are purged.
pub fn spawn_background(state: &AppState) -> tokio::task::JoinHandle<()> {
    let state = state.clone();
    tokio::spawn(async move {
        let every = Duration::from_secs(state.settings.tokens.refresh_interval_secs.max(1));
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match state.connections.refresh_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(refreshed = n, "refreshed expiring tokens"),
                Err(e) => tracing::warn!(error = %e, "could not look for expiring tokens"),
            }
            if let Err(e) = crate::store::retention::purge(&state.store, &state.settings).await {
                tracing::warn!(error = %e, "could not purge old records");
            }
            if let Some(limits) = &state.rate_limits {
                limits.forget_quiet();
            }
        }
    })
}
