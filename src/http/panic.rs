//! The answer to a handler that panicked: a 500 that names the request id (and nothing
//! else), logged with the panic's message. The panic hook installed at start logs where
//! it happened.

use crate::http::AppError;
use crate::http::guard::context::is_api;
use crate::http::guard::request_id;
use crate::http::pages::PageError;
use axum::body::Body;
use axum::http::{Response, StatusCode};
use axum::response::IntoResponse;
use std::any::Any;

pub fn answer(payload: Box<dyn Any + Send + 'static>) -> Response<Body> {
    tracing::error!(request_id = %request_id(), panic = %message(payload.as_ref()), "a request handler panicked");
    if is_api() {
        return AppError::Internal(anyhow::anyhow!("panic")).into_response();
    }
    PageError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "It has been logged. Please try again in a moment.",
    )
    .into_response()
}

fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Logs every panic with its location through tracing, so it reaches the same log as
/// everything else (and in JSON when logs are JSON), then hands it to the hook that was
/// there before (which prints it). Installed once per process.
pub fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            tracing::error!(%location, panic = %message(info.payload()), request_id = %request_id(), "panic");
            previous(info);
        }));
    });
}
