//! The App API for app user connectors: the host's backend sets a connector up for its
//! users, asks for a connect link per person, and reads (or ends) that person's
//! connection. Everything here needs an app key: a person's session never gets tokens.

use super::caller::AppCaller;
use super::connections::{Include, action_error, connection_json, with_token_if_asked};
use crate::actions::Runner;
use crate::http::{AppError, AppState};
use crate::oauth::app_user::{AppUserError, SetUp};
use crate::store::AppUserConnectorRow;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetUpBody {
    connector: String,
    scopes: Option<Vec<String>>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

pub async fn set_up(
    State(state): State<AppState>,
    caller: AppCaller,
    Json(body): Json<SetUpBody>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    let client = match (body.client_id.as_deref(), body.client_secret.as_deref()) {
        (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.is_empty() => Some((id.trim(), secret)),
        (None, None) => None,
        _ => return Err(AppError::BadRequest("client_id and client_secret come together".into())),
    };
    let set_up =
        SetUp { app_id: caller.app.id, connector: &body.connector, scopes: body.scopes.as_deref(), client, by: None };
    let row = state.oauth.set_up_app_user_connector(set_up).await.map_err(refusal)?;
    state.store.audit(Some(caller.app.id), None, "app_user_connector.set_up", Some(&row.connector), None, None).await?;
    Ok(Json(set_up_json(&state, &row)?))
}

/// The set-up connector as the API shows it: never the client secret.
pub fn set_up_json(state: &AppState, row: &AppUserConnectorRow) -> Result<Value, AppError> {
    Ok(json!({
        "connector": row.connector,
        "scopes": row.scopes()?,
        "own_client": row.client_id.is_some(),
        "client_id": row.client_id,
        "redirect_uri": state.settings.redirect_uri(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    connector: String,
    return_url: Option<String>,
}

pub async fn connect_session(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, user_ref)): Path<(i64, String)>,
    Json(body): Json<SessionBody>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    let session = state
        .oauth
        .new_connect_session(caller.app.id, &user_ref, &body.connector, body.return_url.as_deref())
        .await
        .map_err(refusal)?;
    let expires_at = chrono::DateTime::from_timestamp(session.expires_at, 0).map(|t| t.to_rfc3339());
    Ok(Json(json!({ "url": session.url, "expires_at": expires_at })))
}

pub async fn connections(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, user_ref)): Path<(i64, String)>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    let rows = state.store.app_user_connections(caller.app.id, &user_ref).await?;
    let connections = rows.iter().map(connection_json).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "connections": connections })))
}

pub async fn connection(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, user_ref, connector)): Path<(i64, String, String)>,
    Query(q): Query<Include>,
) -> Result<Response, AppError> {
    require_key(&caller)?;
    let runner = Runner::new(state.oauth.clone(), state.connections.clone());
    let c = runner.connector(&connector).map_err(action_error)?;
    let row = state
        .store
        .app_user_connection(caller.app.id, c.id.as_str(), &user_ref)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("this app user has not connected {}", c.name)))?;
    with_token_if_asked(&state, &caller, &runner, c, row, q).await
}

/// The host ends one person's connection (they asked it to): revoked where the provider
/// can, and deleted.
pub async fn disconnect(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, user_ref, connector)): Path<(i64, String, String)>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    let row = state
        .store
        .app_user_connection(caller.app.id, &connector, &user_ref)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("this app user has no {connector} connection")))?;
    let warning = state.connections.remove(&row).await?;
    state
        .store
        .audit(Some(caller.app.id), None, "app_user.disconnected", Some(&connector), row.account.as_deref(), None)
        .await?;
    Ok(Json(json!({ "disconnected": true, "revoked": warning.is_none(), "warning": warning.map(|w| w.to_string()) })))
}

fn require_key(caller: &AppCaller) -> Result<(), AppError> {
    match caller.key() {
        Some(_) => Ok(()),
        None => Err(AppError::Forbidden("app user connections are for app keys, not a signed-in person".into())),
    }
}

fn refusal(e: AppUserError) -> AppError {
    match e {
        AppUserError::Store(s) => s.into(),
        AppUserError::UnknownConnector(_) => AppError::NotFound(e.to_string()),
        AppUserError::NotSetUp { .. } => AppError::Conflict(e.to_string()),
        AppUserError::Blocked(_) => AppError::Forbidden(e.to_string()),
        other => AppError::BadRequest(other.to_string()),
    }
}
