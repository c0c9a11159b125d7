//! Connecting a credential connector: the card's form (`POST /apps/{app}/connect/credentials`)
//! and "Replace credentials" on My integrations. Each calls `credentials::connect`, which
//! tries the credentials live before storing anything, then says what happened where the
//! builder looks: on the card and in the chat, or on the replace page.

use super::AppState;
use super::auth::CurrentUser;
use super::connect::{failed, finish, recheck_flows};
use super::pages::{Access, Layout, PageError, render};
use crate::card::{CredentialField, credential_fields};
use crate::chat;
use crate::credentials::{ConnectError, Connected};
use crate::oauth::{Context, Purpose};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct CredentialForm {
    connector: String,
    message_id: Option<i64>,
    /// `cred.<name>`: what the builder typed, one field per documented credential.
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// The card's form: connect, or say in words why not (nothing is stored then).
pub async fn connect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(form): Form<CredentialForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("connect tools")?;
    let connector = state.catalog.get(&form.connector).ok_or_else(PageError::not_found)?;
    if let Some(message_id) = form.message_id {
        super::pages::card_exists(&state, app_id, message_id, &form.connector).await?;
    }
    let had = state.store.shared_connection(app_id, &form.connector).await?.is_some();
    let purpose = if had { Purpose::Reconnect } else { Purpose::Connect };
    let ctx = Context { app_id, connector: form.connector.clone(), message_id: form.message_id, purpose };
    match crate::credentials::connect(&state.oauth, app_id, user.id, connector, &form.fields).await {
        Ok(done) => connected(&state, &ctx, &user, &done).await,
        Err(ConnectError::Store(e)) => Err(e.into()),
        Err(e) => failed(&state, &ctx, &e.to_string(), &user).await,
    }
}

/// What every successful connect does, as an OAuth callback does: audit, card, webhook,
/// the chat's answer, and the flows that were waiting for it.
async fn connected(
    state: &AppState,
    ctx: &Context,
    user: &crate::store::UserRow,
    done: &Connected,
) -> Result<Response, PageError> {
    let name = state.catalog.get(&ctx.connector).map_or(ctx.connector.clone(), |c| c.name.clone());
    let store = &state.store;
    store
        .audit(Some(ctx.app_id), Some(user.id), ctx.purpose.as_str(), Some(&ctx.connector), Some(&done.account), None)
        .await?;
    if let Some(message_id) = ctx.message_id {
        store.set_card_state(message_id, &ctx.connector, "connected", Some(&done.account), Some(user.id)).await?;
    }
    let data = serde_json::json!({"connector": ctx.connector, "account": done.account, "missing_scopes": []});
    crate::runner::webhooks::emit(store, ctx.app_id, "connection.connected", data).await?;
    let text = format!(
        "Connected {name} as {}. {name} accepted the credentials; patchbay sealed them and will not show them again.",
        done.account
    );
    let response = finish(state, ctx, &text).await?;
    recheck_flows(state, ctx.app_id).await;
    if let (Some(message_id), Some(app)) = (ctx.message_id, store.app(ctx.app_id).await?)
        && let Some(answer) = store.message(message_id).await?
    {
        chat::flows::continue_turn(store, &state.catalog, &app, user, &answer).await?;
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "integrations/credentials.html")]
struct ReplacePage {
    layout: Layout,
    app_id: i64,
    id: i64,
    name: String,
    account: String,
    /// Connecting a disconnected connection again, rather than replacing live credentials.
    again: bool,
    fields: Vec<CredentialField>,
    form_id: String,
    console: Option<String>,
    error: Option<String>,
}

async fn replace_page(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    id: i64,
    error: Option<String>,
) -> Result<Response, PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder("replace credentials")?;
    let row = state.store.connection(id).await?.filter(|c| c.app_id == app_id).ok_or_else(PageError::not_found)?;
    let connector =
        state.catalog.get(&row.connector).filter(|c| c.auth.kind.typed()).ok_or_else(PageError::not_found)?;
    let page = ReplacePage {
        layout: Layout::for_app(format!("Replace {} credentials", connector.name), &access, "integrations"),
        app_id,
        id,
        name: connector.name.clone(),
        account: row.account.clone().unwrap_or_default(),
        again: row.sealed_tokens.is_none(),
        fields: credential_fields(connector),
        form_id: format!("replace-{id}"),
        console: state.settings.sandbox_enabled().then(|| crate::sandbox::console_url(connector.id.as_str())),
        error: error.clone(),
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    render(status, &page)
}

pub async fn show_replace(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    replace_page(&state, &user, app_id, id, None).await
}

/// New credentials for a connection: tried first; on a refusal the old ones stay in use.
pub async fn replace(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("replace credentials")?;
    let row = state.store.connection(id).await?.filter(|c| c.app_id == app_id).ok_or_else(PageError::not_found)?;
    let connector = state.catalog.get(&row.connector).ok_or_else(PageError::not_found)?;
    match crate::credentials::connect(&state.oauth, app_id, user.id, connector, &fields).await {
        Ok(done) => {
            let detail = "replaced the credentials";
            state
                .store
                .audit(
                    Some(app_id),
                    Some(user.id),
                    "replace_credentials",
                    Some(&row.connector),
                    Some(&done.account),
                    Some(detail),
                )
                .await?;
            let data = serde_json::json!({"connector": row.connector, "account": done.account, "missing_scopes": []});
            crate::runner::webhooks::emit(&state.store, app_id, "connection.connected", data).await?;
            recheck_flows(&state, app_id).await;
            let to = format!("/apps/{app_id}/integrations?notice=credentials_replaced&c={}", row.connector);
            Ok(Redirect::to(&to).into_response())
        }
        Err(ConnectError::Store(e)) => Err(e.into()),
        Err(e) => {
            let kept = if row.sealed_tokens.is_some() { " The credentials in use were kept." } else { "" };
            replace_page(&state, &user, app_id, id, Some(format!("{e}{kept}"))).await
        }
    }
}
