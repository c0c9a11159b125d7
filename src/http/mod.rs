//! HTTP: each area has its router and view structs; handlers parse, call one pipeline
//! step, and render. One tracing span per request.

mod api;
pub(crate) mod connect;
mod error;
mod health;
pub mod pages;
pub mod session;
mod state;

pub use error::AppError;
pub use state::AppState;

use axum::Router;
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/v1/route", post(api::route))
        .route("/apps/{app_id}/connect", post(connect::connect))
        .route("/oauth/callback", get(connect::callback))
        .merge(pages::router())
        .merge(crate::sandbox::router(&state.settings))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(session::same_origin_posts))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// Periodic housekeeping: tokens that expire within the margin are refreshed, and expired
/// pending authorizations are purged.
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
            if let Err(e) = state.store.purge_expired_pending(crate::store::now()).await {
                tracing::warn!(error = %e, "could not purge expired authorizations");
            }
        }
    })
}
