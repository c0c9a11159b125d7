//! **Let an agent use this app's tools** (`/mcp/oauth/authorize`): where an MCP client sends
//! a person to sign in (OAuth 2.1, patchbay as the authorization server). A builder of the
//! app sees which agent asks, for which app, and what it could do, and allows or denies
//! it; the agent's client then gets its code at the address it registered.

use super::{Access, Layout, PageError, render};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::mcp::oauth::request::{self, AuthorizeParams, Checked, Refused};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "integrations/agent_authorize.html")]
struct ConsentPage {
    layout: Layout,
    client: String,
    app: String,
    /// The tools the app has connected, by name: what the agent could reach today.
    tools: Vec<String>,
    /// Where the answer goes: the redirect's host (and port), as a person checks it.
    returns_to: String,
    params: AuthorizeParams,
}

#[derive(Deserialize)]
pub struct Decision {
    #[serde(flatten)]
    params: AuthorizeParams,
    #[serde(default)]
    decision: String,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, PageError> {
    let checked = match request::check(&state, params).await {
        Ok(checked) => checked,
        Err(refused) => return refusal(refused),
    };
    let access = builder(&state, &checked, &user).await?;
    let rows = state.store.connections_of_app(access.app.id).await?;
    let mut tools: Vec<String> = rows
        .iter()
        .filter(|r| r.kind == "shared")
        .filter_map(|r| state.catalog.get(&r.connector).map(|c| c.name.clone()))
        .collect();
    tools.sort();
    tools.dedup();
    let page = ConsentPage {
        layout: Layout::for_app(format!("Let {} use {}", checked.client.name, access.app.name), &access, "settings"),
        client: checked.client.name.clone(),
        app: access.app.name.clone(),
        tools,
        returns_to: returns_to(&checked.params.redirect_uri),
        params: checked.params,
    };
    render(StatusCode::OK, &page)
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<Decision>,
) -> Result<Response, PageError> {
    let checked = match request::check(&state, form.params).await {
        Ok(checked) => checked,
        Err(refused) => return refusal(refused),
    };
    let access = builder(&state, &checked, &user).await?;
    let allowed = form.decision == "allow";
    let to = if allowed { request::allowed(&state, &checked, user.id).await? } else { request::denied(&checked) };
    let what = if allowed { "agent.authorized" } else { "agent.authorization_denied" };
    let detail = format!("{} ({})", checked.client.name, checked.client.client_id);
    state.store.audit(Some(access.app.id), Some(user.id), what, None, None, Some(&detail)).await?;
    Ok(Redirect::to(&to).into_response())
}

fn returns_to(redirect_uri: &str) -> String {
    let url = url::Url::parse(redirect_uri).ok();
    let host = url
        .as_ref()
        .and_then(|u| Some(format!("{}{}", u.host_str()?, u.port().map(|p| format!(":{p}")).unwrap_or_default())));
    host.unwrap_or_else(|| redirect_uri.to_owned())
}

/// Only a builder of the app may let an agent use it: the token acts as the app's key would.
async fn builder(state: &AppState, checked: &Checked, user: &crate::store::UserRow) -> Result<Access, PageError> {
    let access = Access::load(state, checked.app_id, user).await?;
    access.require_builder("let an agent use this app's tools")?;
    Ok(access)
}

fn refusal(refused: Refused) -> Result<Response, PageError> {
    match refused {
        Refused::Back { redirect } => Ok(Redirect::to(&redirect).into_response()),
        Refused::Here(message) => Err(PageError::new(StatusCode::BAD_REQUEST, "This sign-in cannot go on", &message)),
    }
}
