//! `GET /api/v1/apps/{app_id}/connections[/{connector}]`: the app's connections, as the
//! host's backend reads them. With `?include=token` (app keys only, never a person's
//! session) the answer also holds a fresh access token and the connection's `config`;
//! each hand-out is audited with the key that took it, never the token.

use super::caller::AppCaller;
use crate::actions::{ActionError, Runner, config};
use crate::connections::Status;
use crate::http::{AppError, AppState};
use crate::store::ConnectionRow;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
pub struct Include {
    include: Option<String>,
}

/// The DESIGN.md `Connection`: `{connector, kind, status, account, scopes, expires_at}`.
pub fn connection_json(row: &ConnectionRow) -> Result<Value, AppError> {
    let expires_at = row.expires_at.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|t| t.to_rfc3339());
    Ok(json!({
        "connector": row.connector,
        "kind": row.kind,
        "status": Status::parse(&row.status).as_str(),
        "account": row.account,
        "scopes": row.granted_scopes()?,
        "expires_at": expires_at,
    }))
}

pub async fn list(State(state): State<AppState>, caller: AppCaller) -> Result<Json<Value>, AppError> {
    let rows = state.store.connections_of_app(caller.app.id).await?;
    let connections = rows.iter().filter(|r| r.kind == "shared").map(connection_json).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "connections": connections })))
}

pub async fn one(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, connector)): Path<(i64, String)>,
    Query(q): Query<Include>,
) -> Result<Response, AppError> {
    let runner = Runner::new(state.oauth.clone(), state.connections.clone());
    let c = runner.app_connector(caller.app.id, &connector).await.map_err(action_error)?;
    let c = c.as_ref();
    let row = runner.connection(caller.app.id, c).await.map_err(action_error)?;
    with_token_if_asked(&state, &caller, &runner, c, row, q).await
}

/// The connection, and with `?include=token` its token too.
pub async fn with_token_if_asked(
    state: &AppState,
    caller: &AppCaller,
    runner: &Runner,
    c: &crate::catalog::Connector,
    row: ConnectionRow,
    q: Include,
) -> Result<Response, AppError> {
    match q.include.as_deref() {
        None => Ok(Json(connection_json(&row)?).into_response()),
        Some("token") if c.id.is_custom() => Err(AppError::Forbidden(
            "a custom API's secret is never handed out: call it through its actions or the proxy".into(),
        )),
        Some("token") => token_answer(state, caller, runner, c, row).await,
        Some(other) => Err(AppError::BadRequest(format!("include={other} is unknown: use include=token"))),
    }
}

/// The connection with a fresh access token and its `config`, for app keys only; each
/// hand-out is audited.
async fn token_answer(
    state: &AppState,
    caller: &AppCaller,
    runner: &Runner,
    c: &crate::catalog::Connector,
    row: ConnectionRow,
) -> Result<Response, AppError> {
    let Some(key) = caller.key() else {
        return Err(AppError::Forbidden("tokens are handed to app keys only, never to a signed-in person".into()));
    };
    let usable = runner.usable(c, row).await.map_err(action_error)?;
    let tokens = state.connections.tokens(usable.row.id).await.map_err(|e| action_error(e.into()))?;
    state
        .store
        .audit_key_use(caller.app.id, key.id, "token.handout", Some(&format!("{} access token", c.name)))
        .await?;
    // Read again: a refresh just now moved the expiry.
    let fresh = state.store.connection(usable.row.id).await?.unwrap_or(usable.row.clone());
    let mut answer = connection_json(&fresh)?;
    answer["access_token"] = Value::String(tokens.access_token);
    answer["config"] = config::for_caller(c, &usable.target, &usable.config);
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

/// How an action or connection failure reads in the App API.
pub fn action_error(e: ActionError) -> AppError {
    use crate::actions::target::TargetError;
    match e {
        ActionError::UnknownAction(_) | ActionError::UnknownConnector(_) | ActionError::NoConnection(_) => {
            AppError::NotFound(e.to_string())
        }
        ActionError::NotRunnable(_)
        | ActionError::Input(_)
        | ActionError::NeedsPerson(_)
        | ActionError::NotForPeople(_) => AppError::BadRequest(e.to_string()),
        ActionError::PersonNotConnected(_) => AppError::Conflict(e.to_string()),
        ActionError::Target(TargetError::MissingConfig { .. }) | ActionError::Unusable(_) | ActionError::Lookup(_) => {
            AppError::Conflict(e.to_string())
        }
        ActionError::Target(_) => AppError::BadRequest(e.to_string()),
        ActionError::MissingPermission { message, .. } => AppError::Forbidden(message),
        ActionError::Blocked(_) => AppError::Forbidden(e.to_string()),
        ActionError::Store(s) => s.into(),
    }
}
