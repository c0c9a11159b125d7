//! One error type for handlers: expected failures become a 4xx with a clear message;
//! anything else is logged in full and answered with a 500 that reveals nothing.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("a valid app key is required: send it as Authorization: Bearer pbk_…")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person may read: the message for expected failures, a generic line otherwise.
    pub fn public_message(&self) -> String {
        match self {
            Self::Internal(_) => "Something went wrong on our side. It has been logged; please try again.".into(),
            other => other.to_string(),
        }
    }

    pub fn log_if_internal(&self) {
        if let Self::Internal(err) = self {
            tracing::error!(error = ?err, "request failed");
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            crate::store::StoreError::Conflict(msg) => Self::Conflict(msg),
            crate::store::StoreError::NotFound => Self::NotFound("not found".into()),
            crate::store::StoreError::InvalidText(msg) => Self::BadRequest(msg),
            other => Self::Internal(other.into()),
        }
    }
}

/// API errors answer JSON: `{"error": "..."}`.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        (self.status(), Json(json!({ "error": self.public_message() }))).into_response()
    }
}
