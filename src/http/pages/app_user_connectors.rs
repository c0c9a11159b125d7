//! My integrations → App user connectors: each connector set up for the app's users, how
//! many people connected and how many connections need attention (never their tokens),
//! the redirect URI to register for the app's own OAuth client, and Remove.

use super::{Access, PageError};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::oauth::app_user::SetUp;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct AppUserConnectorView {
    pub connector: String,
    pub name: String,
    pub initials: String,
    pub permissions: Vec<String>,
    pub connected: i64,
    pub errors: i64,
    /// The app's own OAuth client id, when it has one.
    pub client_id: Option<String>,
}

impl AppUserConnectorView {
    pub fn people(&self) -> String {
        match self.connected {
            0 => "Nobody has connected yet".into(),
            1 => "1 person connected".into(),
            n => format!("{n} people connected"),
        }
    }
}

pub async fn views(state: &AppState, app_id: i64) -> Result<Vec<AppUserConnectorView>, PageError> {
    let counts = state.store.app_user_counts(app_id).await?;
    let mut out = Vec::new();
    for row in state.store.app_user_connectors_of_app(app_id).await? {
        let Some(c) = state.catalog.get(&row.connector) else { continue };
        let count = counts.iter().find(|n| n.connector == row.connector);
        let permissions = row.scopes()?.iter().filter_map(|s| c.permission(s)).map(|p| p.label.clone()).collect();
        out.push(AppUserConnectorView {
            connector: row.connector.clone(),
            name: c.name.clone(),
            initials: c.initials(),
            permissions,
            connected: count.map_or(0, |n| n.connected),
            errors: count.map_or(0, |n| n.errors),
            client_id: row.client_id.clone(),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct ClientForm {
    client_id: String,
    client_secret: String,
}

/// Gives the connector the app's own OAuth client (registered at the provider with the
/// redirect URI the page shows).
pub async fn set_client(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, connector)): Path<(i64, String)>,
    Form(form): Form<ClientForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("set up app user connectors")?;
    let existing = state.store.app_user_connector(app_id, &connector).await?.ok_or_else(PageError::not_found)?;
    let (id, secret) = (form.client_id.trim(), form.client_secret.trim());
    if id.is_empty() || secret.is_empty() {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Not saved",
            "Enter both the client ID and the client secret.",
        ));
    }
    let scopes = existing.scopes()?;
    let set_up =
        SetUp { app_id, connector: &connector, scopes: Some(&scopes), client: Some((id, secret)), by: Some(user.id) };
    if let Err(e) = state.oauth.set_up_app_user_connector(set_up).await {
        return Err(PageError::new(StatusCode::BAD_REQUEST, "Not saved", &e.to_string()));
    }
    state.store.audit(Some(app_id), Some(user.id), "app_user_connector.client", Some(&connector), None, None).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/integrations#app-users")).into_response())
}

/// Removes the set-up and every person's connection to it (revoked where the provider can).
pub async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, connector)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("remove app user connectors")?;
    state.store.app_user_connector(app_id, &connector).await?.ok_or_else(PageError::not_found)?;
    for row in state.store.connections_of_app(app_id).await? {
        if row.kind == "app_user" && row.connector == connector {
            state.connections.remove(&row).await?;
        }
    }
    state.store.delete_app_user_connector(app_id, &connector).await?;
    state.store.audit(Some(app_id), Some(user.id), "app_user_connector.removed", Some(&connector), None, None).await?;
    crate::http::connect::recheck_flows(&state, app_id).await;
    Ok(Redirect::to(&format!("/apps/{app_id}/integrations#app-users")).into_response())
}
