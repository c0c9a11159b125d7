//! `POST /api/v1/apps/{app_id}/actions/{connector}.{action}` with `{"inputs": {…}}`:
//! runs a catalog action with the app's connection (or, with `"as_user"`, that app user's
//! own) and answers `{"ok", "output",
//! "provider_status", "error"?}`. A provider's refusal is `ok: false` with its message;
//! patchbay's own refusals (a wrong input, a missing permission) are 4xx errors.

use super::caller::AppCaller;
use super::connections::action_error;
use crate::actions::{ActionError, Runner};
use crate::http::{AppError, AppState};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    #[serde(default)]
    inputs: Value,
    /// The app user whose own connection to use (an app user connector).
    as_user: Option<String>,
}

pub async fn run(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, target)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    if caller.key().is_none() {
        return Err(AppError::Forbidden("running actions needs an app key".into()));
    }
    let (connector, action) = target
        .split_once('.')
        .ok_or_else(|| AppError::NotFound(format!("'{target}' is not <connector>.<action>, e.g. gmail.send_email")))?;
    let body: ActionBody = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("the body must be {{\"inputs\": {{…}}}}: {e}")))?;
    let runner = Runner::new(state.oauth.clone(), state.connections.clone());
    match runner.run_as(caller.app.id, connector, action, &body.inputs, body.as_user.as_deref()).await {
        Ok(outcome) => {
            let wait = outcome.retry_after;
            let mut response = Json(outcome).into_response();
            if let Some(secs) = wait {
                response.headers_mut().insert("retry-after", HeaderValue::from(secs));
            }
            Ok(response)
        }
        Err(ActionError::MissingPermission { message, missing, url }) => Ok((
            StatusCode::FORBIDDEN,
            Json(json!({ "error": message, "missing_permissions": missing, "reconnect_url": url })),
        )
            .into_response()),
        Err(e) => Err(action_error(e)),
    }
}
