//! My integrations → Add a custom API: paste or upload an OpenAPI 3 document, see its
//! operations in plain words, choose some, give the secret; then the API is listed on My
//! integrations with Replace secret and Remove. Each handler calls one step of `custom`.

use super::{Access, Layout, PageError, render};
use crate::connections::Status;
use crate::custom::import::{Preview, read};
use crate::custom::spec::AuthSpec;
use crate::custom::{self, CustomError, NewCustomApi};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;

/// A custom API as My integrations lists it.
pub struct CustomApiView {
    pub id: i64,
    pub name: String,
    pub connector: String,
    pub base_url: String,
    pub auth: String,
    pub status: &'static str,
    pub status_kind: &'static str,
    pub reason: String,
    pub operations: Vec<OperationView>,
}

pub struct OperationView {
    pub method: &'static str,
    pub path: String,
    pub name: String,
    /// `custom_x.list_pets`, as the action API and flows name it.
    pub action: String,
}

/// The app's custom APIs, for My integrations.
pub async fn views(state: &AppState, app_id: i64) -> Result<Vec<CustomApiView>, PageError> {
    let mut out = Vec::new();
    for listed in custom::list(&state.store, app_id).await? {
        let row = listed.row;
        let connection = state.store.shared_connection(app_id, &row.connector).await?;
        let (status, reason) = match &connection {
            Some(c) if c.sealed_tokens.is_some() => {
                (Status::parse(&c.status), c.status_reason.clone().unwrap_or_default())
            }
            _ => (Status::Disconnected, "It has no secret: replace the secret to use it.".into()),
        };
        let operations = listed
            .spec
            .operations
            .iter()
            .map(|o| OperationView {
                method: o.method.as_str(),
                path: o.shown_path.clone(),
                name: o.name.clone(),
                action: format!("{}.{}", row.connector, o.id),
            })
            .collect();
        out.push(CustomApiView {
            id: row.id,
            name: row.name,
            connector: row.connector,
            base_url: row.base_url,
            auth: listed.spec.auth.label(),
            status: status.label(),
            status_kind: status.as_str(),
            reason,
            operations,
        });
    }
    Ok(out)
}

/// The line My integrations shows after an editor's change to a custom API.
pub fn notice(notice: Option<&str>, connector: Option<&str>, apis: &[CustomApiView]) -> Option<(String, bool)> {
    let name = || apis.iter().find(|a| Some(a.connector.as_str()) == connector).map(|a| a.name.clone());
    match notice? {
        "custom_added" => Some((format!("{} was added. Its operations can now be called as actions.", name()?), false)),
        "custom_secret" => Some((format!("{} uses the new secret.", name()?), false)),
        "custom_removed" => Some(("The custom API was removed, with its secret.".into(), false)),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "integrations/custom_new.html")]
struct NewPage {
    layout: Layout,
    app_id: i64,
    error: Option<String>,
    document: String,
}

#[derive(Template)]
#[template(path = "integrations/custom_preview.html")]
struct PreviewPage {
    layout: Layout,
    app_id: i64,
    error: Option<String>,
    document: String,
    name: String,
    base_url: String,
    schemes: Vec<SchemeLine>,
    operations: Vec<OfferLine>,
}

pub struct SchemeLine {
    pub key: String,
    pub label: String,
    pub checked: bool,
}

pub struct OfferLine {
    pub id: String,
    pub method: &'static str,
    pub path: String,
    pub summary: String,
    /// Why it cannot be called; empty when it can.
    pub why_not: String,
    pub checked: bool,
}

async fn builder(state: &AppState, user: &crate::store::UserRow, app_id: i64) -> Result<Access, PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder("add custom APIs")?;
    Ok(access)
}

fn new_page(access: &Access, error: Option<String>, document: String) -> NewPage {
    let layout = Layout::for_app(format!("{} · Add a custom API", access.app.name), access, "integrations");
    NewPage { layout, app_id: access.app.id, error, document }
}

pub async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    render(StatusCode::OK, &new_page(&access, None, String::new()))
}

#[derive(Deserialize)]
pub struct DocumentForm {
    #[serde(default)]
    document: String,
}

pub async fn preview(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(form): Form<DocumentForm>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    match read(&form.document) {
        Ok(preview) => {
            let chosen = Chosen { name: preview.title.clone(), base_url: preview.server.clone(), ..Chosen::default() };
            render(StatusCode::OK, &preview_page(&access, &preview, form.document, chosen, None))
        }
        Err(e) => render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&access, Some(e.to_string()), form.document)),
    }
}

/// What the editor chose, kept when the page comes back with a problem (never the secret).
#[derive(Default)]
struct Chosen {
    name: String,
    base_url: String,
    auth: String,
    operations: Vec<String>,
}

fn preview_page(
    access: &Access,
    preview: &Preview,
    document: String,
    chosen: Chosen,
    error: Option<String>,
) -> PreviewPage {
    // The document's own API key scheme first: that is what its provider hands out.
    let wanted = if chosen.auth.is_empty() { preview.schemes[0].key() } else { chosen.auth.clone() };
    let schemes = preview
        .schemes
        .iter()
        .map(|s: &AuthSpec| SchemeLine { key: s.key(), label: s.label(), checked: s.key() == wanted })
        .collect();
    let operations = preview
        .operations
        .iter()
        .map(|o| OfferLine {
            id: o.id().unwrap_or_default().to_owned(),
            method: o.method,
            path: o.path.clone(),
            summary: o.summary.clone(),
            why_not: o.spec.as_ref().err().cloned().unwrap_or_default(),
            checked: o.id().is_some_and(|id| chosen.operations.iter().any(|c| c == id)),
        })
        .collect();
    let layout = Layout::for_app(format!("{} · Add a custom API", access.app.name), access, "integrations");
    PreviewPage {
        layout,
        app_id: access.app.id,
        error,
        document,
        name: chosen.name,
        base_url: chosen.base_url,
        schemes,
        operations,
    }
}

pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let chosen = Chosen {
        name: field("name"),
        base_url: field("base_url"),
        auth: field("auth"),
        operations: fields.iter().filter(|(k, _)| k == "op").map(|(_, v)| v.clone()).collect(),
    };
    let document = field("document");
    let new = NewCustomApi {
        document: &document,
        name: &chosen.name,
        base_url: &chosen.base_url,
        auth: &chosen.auth,
        operations: &chosen.operations,
        secret: SecretString::from(field("secret")),
    };
    match custom::add(&state.store, &state.cipher, &state.settings, app_id, user.id, new).await {
        Ok(row) => {
            crate::http::connect::recheck_flows(&state, app_id).await;
            let to = format!("/apps/{app_id}/integrations?notice=custom_added&c={}", row.connector);
            Ok(Redirect::to(&to).into_response())
        }
        Err(CustomError::Store(e)) if !matches!(e, crate::store::StoreError::Conflict(_)) => Err(e.into()),
        Err(e) => {
            let message = match e {
                CustomError::Store(crate::store::StoreError::Conflict(m)) => super::capitalised(&m) + ".",
                other => other.to_string(),
            };
            match read(&document) {
                Ok(preview) => render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &preview_page(&access, &preview, document, chosen, Some(message)),
                ),
                Err(_) => render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&access, Some(message), document)),
            }
        }
    }
}

#[derive(Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    secret: String,
}

pub async fn replace_secret(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
    Form(form): Form<SecretForm>,
) -> Result<Response, PageError> {
    builder(&state, &user, app_id).await?;
    let secret = SecretString::from(form.secret);
    match custom::replace_secret(&state.store, &state.cipher, app_id, id, user.id, secret).await {
        Ok(row) => {
            crate::http::connect::recheck_flows(&state, app_id).await;
            let to = format!("/apps/{app_id}/integrations?notice=custom_secret&c={}", row.connector);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => Err(refused(e)),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    builder(&state, &user, app_id).await?;
    match custom::remove(&state.store, app_id, id, user.id).await {
        Ok(_) => {
            crate::http::connect::recheck_flows(&state, app_id).await;
            Ok(Redirect::to(&format!("/apps/{app_id}/integrations?notice=custom_removed")).into_response())
        }
        Err(e) => Err(refused(e)),
    }
}

fn refused(e: CustomError) -> PageError {
    match e {
        CustomError::Store(s) => s.into(),
        CustomError::Missing => PageError::not_found(),
        other => PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "Not accepted", &other.to_string()),
    }
}
