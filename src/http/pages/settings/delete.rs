//! Deleting an app: a confirmation that lists what goes with it, then every connection
//! revoked at its provider (where possible) and everything deleted.

use crate::http::AppState;
use crate::http::auth::Owner;
use crate::http::pages::{Layout, PageError, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "settings/delete.html")]
struct DeletePage {
    layout: Layout,
    app_id: i64,
    name: String,
    connections: Vec<String>,
    flows: Vec<String>,
}

pub async fn confirm_delete(State(state): State<AppState>, Owner(access): Owner) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let connections = state
        .store
        .connections_of_app(app_id)
        .await?
        .into_iter()
        .map(|c| {
            let name = state.catalog.get(&c.connector).map_or(c.connector.clone(), |k| k.name.clone());
            match c.account {
                Some(a) => format!("{name} ({a})"),
                None => name,
            }
        })
        .collect();
    let flows = state.store.flows_of_app(app_id).await?.into_iter().map(|f| f.name).collect();
    let page = DeletePage {
        layout: Layout::for_app(format!("Delete {}", access.app.name), &access, "settings"),
        app_id,
        name: access.app.name.clone(),
        connections,
        flows,
    };
    render(StatusCode::OK, &page)
}

pub async fn delete(State(state): State<AppState>, Owner(access): Owner) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let mut unconfirmed = Vec::new();
    for row in state.store.connections_of_app(app_id).await? {
        if let Some(warning) = state.connections.remove(&row).await? {
            unconfirmed.push(warning.to_string());
        }
    }
    state.store.delete_app(app_id).await?;
    let detail = format!("app {} \"{}\"", app_id, access.app.name);
    state.store.audit(None, Some(access.user.id), "app.deleted", None, None, Some(&detail)).await?;
    for w in &unconfirmed {
        tracing::warn!(app = app_id, warning = %w, "a provider did not confirm revocation while deleting an app");
    }
    let notice = if unconfirmed.is_empty() { "deleted" } else { "deleted_unconfirmed" };
    Ok(Redirect::to(&format!("/?notice={notice}")).into_response())
}
