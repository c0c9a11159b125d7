//! `GET /healthz`: the version, and whether the database answers. `GET /livez`: the
//! process answers at all (no database, no middleware), for liveness probes and as the
//! yardstick of the HTTP benchmark.

use super::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.store.ping().await;
    let status = if database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if database { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": { "backend": state.store.backend().name(), "reachable": database },
        "connectors": state.catalog.len(),
    });
    (status, Json(body))
}

pub async fn livez() -> &'static str {
    "ok"
}
