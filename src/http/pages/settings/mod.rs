//! An app's Settings: its name and time zone, its structure (a form and a JSON view),
//! and for owners the people, the keys of the host's backend, which connectors may be
//! connected, and deleting the app.
//! Builders (owners and editors) may change the name, time zone and structure.

mod agents;
mod backend;
mod connectors;
mod delete;
mod keys;
mod people;
mod structure_form;

pub use agents::{revoke_agent, save_agent_confirmation, save_agent_tools};
pub use backend::{new_secret, save_backend};
pub use connectors::save_connector_policy;
pub use delete::{confirm_delete, delete};
pub use keys::{create_key, revoke_key};
pub use people::{change_member, invite, revoke_invitation};

use super::{Access, Layout, PageError, render};
use crate::app::{Role, structure_edit};
use crate::connections::policy::Policy;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::mcp::rules::AgentRules;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use structure_form::EntityRow;

/// A secret shown once (a new key, an invitation link), never stored in a way that can be
/// shown again.
pub struct ShownOnce {
    pub what: String,
    pub value: String,
}

pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub is_me: bool,
}

pub struct InvitationView {
    pub id: i64,
    pub email: String,
    pub role: &'static str,
    pub expires: String,
    pub expired: bool,
}

pub struct KeyView {
    pub id: i64,
    pub name: String,
    pub hint: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "settings/page.html")]
pub struct SettingsPage {
    layout: Layout,
    app_id: i64,
    is_owner: bool,
    name: String,
    time_zone: String,
    zones: Vec<&'static str>,
    general_problems: Vec<String>,
    pages: String,
    entities: Vec<EntityRow>,
    structure_problems: Vec<String>,
    json: String,
    json_problems: Vec<String>,
    members: Vec<MemberView>,
    invitations: Vec<InvitationView>,
    keys: Vec<KeyView>,
    /// Owners only: what is allowed per connector, grouped by category.
    connectors: Vec<connectors::PolicyGroup>,
    /// Owners only: what the MCP server offers agents.
    agents: Option<agents::AgentsView>,
    data_url: String,
    webhook_url: String,
    has_secret: bool,
    deliveries: Vec<backend::DeliveryView>,
    shown: Option<ShownOnce>,
    notice: Option<String>,
}

impl SettingsPage {
    /// The page as stored, for `access`; handlers then adjust what they changed.
    pub async fn load(state: &AppState, access: &Access) -> Result<Self, PageError> {
        let app_id = access.app.id;
        let (pages, entities) = structure_form::rows_of(access.structure());
        let is_owner = access.role == Role::Owner;
        let (members, invitations, keys) =
            if is_owner { people_and_keys(state, access).await? } else { Default::default() };
        let connectors = match is_owner {
            true => connectors::groups(&state.catalog, &Policy::load(&state.store, app_id).await?),
            false => Vec::new(),
        };
        let agents = match is_owner {
            true => {
                let mut agents = agents::view(&state.catalog, &AgentRules::load(&state.store, app_id).await?);
                agents.signed_in = agents::signed_in(state, app_id).await?;
                Some(agents)
            }
            false => None,
        };
        let (data_url, sealed) = state.store.app_data_source(app_id).await?;
        let deliveries = state
            .store
            .deliveries_of_app(app_id, 10)
            .await?
            .into_iter()
            .map(|d| backend::DeliveryView {
                event: d.event,
                when: super::integrations::when(Some(d.created_at)),
                status: d.status,
                error: d.last_error.unwrap_or_default(),
            })
            .collect();
        Ok(Self {
            layout: Layout::for_app("Settings", access, "settings"),
            app_id,
            is_owner,
            name: access.app.name.clone(),
            time_zone: access.app.time_zone.clone(),
            zones: chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect(),
            general_problems: Vec::new(),
            pages,
            entities,
            structure_problems: Vec::new(),
            json: serde_json::to_string_pretty(&structure_edit::stored_json(&access.app)).unwrap_or_default(),
            json_problems: Vec::new(),
            members,
            invitations,
            keys,
            connectors,
            agents,
            data_url: data_url.unwrap_or_default(),
            webhook_url: state.store.app_webhook(app_id).await?.unwrap_or_default(),
            has_secret: sealed.is_some(),
            deliveries,
            shown: None,
            notice: None,
        })
    }

    pub fn with_notice(mut self, notice: impl Into<String>) -> Self {
        self.notice = Some(notice.into());
        self
    }

    pub fn with_shown(mut self, shown: ShownOnce) -> Self {
        self.shown = Some(shown);
        self
    }

    pub fn render(&self, status: StatusCode) -> Result<Response, PageError> {
        render(status, self)
    }
}

async fn people_and_keys(
    state: &AppState,
    access: &Access,
) -> Result<(Vec<MemberView>, Vec<InvitationView>, Vec<KeyView>), PageError> {
    let app_id = access.app.id;
    let now = crate::store::now();
    let members = state
        .store
        .members(app_id)
        .await?
        .into_iter()
        .map(|m| MemberView {
            is_me: m.user.id == access.user.id,
            user_id: m.user.id,
            name: m.user.name,
            email: m.user.email,
            role: m.role,
        })
        .collect();
    let invitations = state
        .store
        .pending_invitations(app_id)
        .await?
        .into_iter()
        .map(|i| InvitationView {
            id: i.id,
            role: i.role().label(),
            expires: super::integrations::when(Some(i.expires_at)),
            expired: i.expires_at <= now,
            email: i.email,
        })
        .collect();
    let keys = state
        .store
        .app_keys(app_id)
        .await?
        .into_iter()
        .map(|k| KeyView {
            id: k.id,
            name: k.name,
            hint: k.hint,
            created: super::integrations::when(Some(k.created_at)),
            last_used: k.last_used_at.map_or("never".into(), |t| super::integrations::when(Some(t))),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    Ok((members, invitations, keys))
}

async fn builder(state: &AppState, user: &crate::store::UserRow, app_id: i64) -> Result<Access, PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder("change this app's settings")?;
    Ok(access)
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    SettingsPage::load(&state, &access).await?.render(StatusCode::OK)
}

#[derive(Deserialize)]
pub struct GeneralForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn save_general(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(form): Form<GeneralForm>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    let name = form.name.trim();
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        problems.push("Name: 1 to 80 characters.".to_owned());
    }
    let zone = form.time_zone.trim();
    if zone.parse::<chrono_tz::Tz>().is_err() {
        problems.push(format!("Time zone: \"{zone}\" is not a time zone name such as Europe/Paris."));
    }
    if !problems.is_empty() {
        let mut page = SettingsPage::load(&state, &access).await?;
        page.name = form.name;
        page.time_zone = form.time_zone;
        page.general_problems = problems;
        return page.render(StatusCode::UNPROCESSABLE_ENTITY);
    }
    state.store.rename_app(app_id, name).await?;
    state.store.set_app_time_zone(app_id, zone).await?;
    state
        .store
        .audit(Some(app_id), Some(user.id), "app.settings_changed", None, None, Some(&format!("{name}, {zone}")))
        .await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/settings#general")).into_response())
}

pub async fn save_structure(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    let (pages, mut rows, value) = structure_form::read(&pairs, access.structure());
    match structure_edit::save(&state.store, &access.app, &value).await {
        Ok(_) => saved(&state, &user, app_id, "#structure").await,
        Err(structure_edit::EditError::Invalid(problems)) => {
            let general = structure_form::place_problems(&mut rows, problems);
            let mut page = SettingsPage::load(&state, &access).await?;
            page.pages = pages;
            page.entities = rows;
            page.structure_problems = general;
            page.render(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(structure_edit::EditError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct JsonForm {
    #[serde(default)]
    json: String,
}

pub async fn save_structure_json(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(form): Form<JsonForm>,
) -> Result<Response, PageError> {
    let access = builder(&state, &user, app_id).await?;
    let outcome = match serde_json::from_str::<serde_json::Value>(&form.json) {
        Ok(value) => structure_edit::save(&state.store, &access.app, &value).await,
        Err(e) => Err(structure_edit::EditError::Invalid(vec![format!("not valid JSON: {e}")])),
    };
    match outcome {
        Ok(_) => saved(&state, &user, app_id, "#structure-json").await,
        Err(structure_edit::EditError::Invalid(problems)) => {
            let mut page = SettingsPage::load(&state, &access).await?;
            page.json = form.json;
            page.json_problems = problems;
            page.render(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(structure_edit::EditError::Store(e)) => Err(e.into()),
    }
}

async fn saved(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    anchor: &str,
) -> Result<Response, PageError> {
    state.store.audit(Some(app_id), Some(user.id), "app.structure_changed", None, None, None).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/settings{anchor}")).into_response())
}
