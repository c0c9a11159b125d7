//! The builder's pages, rendered on the server with askama: plain forms that work without
//! JavaScript, with a few lines of it (static/app.js) where it makes the chat feel live.

mod agent_authorize;
mod agent_confirm;
pub(crate) mod agent_connect;
mod asks;
mod assets;
mod browse;
mod cards;
pub use cards::card_exists;
mod app_user_connectors;
mod chat;
pub mod chat_cache;
mod custom_apis;
mod data;
pub mod flow_use;
mod flows;
mod home;
mod integrations;
mod offers;
mod recent_use;
mod runs;
mod settings;
mod try_action;

use super::AppState;
use super::auth::CurrentUser;
use crate::app::{AppStructure, Role};
use crate::store::{AppRow, StoreError, UserRow};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/apps", post(home::create_app))
        .route("/apps/{app_id}", get(app_home))
        .route("/apps/{app_id}/chat", get(chat::page).post(chat::send))
        .route("/apps/{app_id}/chat/{message_id}/asks/{index}", post(asks::answer))
        .route("/apps/{app_id}/cards/{message_id}/{connector}/skip", post(cards::skip))
        .route("/apps/{app_id}/cards/{message_id}/{connector}/restore", post(cards::restore))
        .route("/apps/{app_id}/offers/{message_id}", post(offers::take))
        .route("/apps/{app_id}/integrations/browse", get(browse::page))
        .route("/apps/{app_id}/integrations/connect", get(agent_connect::page))
        .route("/mcp/oauth/authorize", get(agent_authorize::page).post(agent_authorize::decide))
        .route("/apps/{app_id}/agents/confirm/{token}", get(agent_confirm::page).post(agent_confirm::decide))
        .route("/apps/{app_id}/integrations", get(integrations::page))
        .route("/apps/{app_id}/flows", get(flows::page))
        .route("/apps/{app_id}/flows/{flow_id}", get(flows::download))
        .route("/apps/{app_id}/flows/{flow_id}/activate", post(flows::activate))
        .route("/apps/{app_id}/flows/{flow_id}/deactivate", post(flows::deactivate))
        .route("/apps/{app_id}/flows/{flow_id}/settings", post(flows::settings))
        .route("/apps/{app_id}/flows/{flow_id}/run", post(runs::run_now))
        .route("/apps/{app_id}/flows/{flow_id}/rename", post(runs::rename))
        .route("/apps/{app_id}/flows/{flow_id}/delete", get(runs::confirm_delete).post(runs::delete))
        .route("/apps/{app_id}/runs/{run_id}", get(runs::page))
        .route("/apps/{app_id}/data", get(data::page))
        .route("/apps/{app_id}/data/{entity}", post(data::add))
        .route("/apps/{app_id}/data/{entity}/{id}", post(data::save))
        .route(
            "/apps/{app_id}/integrations/{id}/disconnect",
            get(integrations::confirm_disconnect).post(integrations::disconnect),
        )
        .route("/apps/{app_id}/integrations/{id}/remove", get(integrations::confirm_remove).post(integrations::remove))
        .route("/apps/{app_id}/integrations/switch/{switch_id}", post(integrations::decide_switch))
        .route("/apps/{app_id}/integrations/app-users/{connector}/client", post(app_user_connectors::set_client))
        .route("/apps/{app_id}/integrations/app-users/{connector}/remove", post(app_user_connectors::remove))
        .route("/apps/{app_id}/integrations/{id}/try", get(try_action::page).post(try_action::run))
        .route("/apps/{app_id}/integrations/custom/new", get(custom_apis::start))
        .route("/apps/{app_id}/integrations/custom/preview", post(custom_apis::preview))
        .route("/apps/{app_id}/integrations/custom", post(custom_apis::create))
        .route("/apps/{app_id}/integrations/custom/{id}/secret", post(custom_apis::replace_secret))
        .route("/apps/{app_id}/integrations/custom/{id}/remove", post(custom_apis::remove))
        .route("/apps/{app_id}/settings", get(settings::page))
        .route("/apps/{app_id}/settings/general", post(settings::save_general))
        .route("/apps/{app_id}/settings/structure", post(settings::save_structure))
        .route("/apps/{app_id}/settings/structure.json", post(settings::save_structure_json))
        .route("/apps/{app_id}/settings/invitations", post(settings::invite))
        .route("/apps/{app_id}/settings/invitations/{id}/revoke", post(settings::revoke_invitation))
        .route("/apps/{app_id}/settings/members/{user_id}", post(settings::change_member))
        .route("/apps/{app_id}/settings/keys", post(settings::create_key))
        .route("/apps/{app_id}/settings/connectors/{connector}", post(settings::save_connector_policy))
        .route("/apps/{app_id}/settings/agents", post(settings::save_agent_confirmation))
        .route("/apps/{app_id}/settings/agents/{connector}", post(settings::save_agent_tools))
        .route("/apps/{app_id}/settings/agents/access/{grant_id}/revoke", post(settings::revoke_agent))
        .route("/apps/{app_id}/settings/backend", post(settings::save_backend))
        .route("/apps/{app_id}/settings/secret", post(settings::new_secret))
        .route("/apps/{app_id}/settings/keys/{id}/revoke", post(settings::revoke_key))
        .route("/apps/{app_id}/delete", get(settings::confirm_delete).post(settings::delete))
        .route("/static/{file}", get(assets::file))
}

/// What every page's frame needs: the title, who is signed in, and the app being edited.
pub struct Layout {
    pub title: String,
    pub user: Option<UserRow>,
    pub app: Option<AppNav>,
    /// Which tab of the app is open: chat, browse, integrations, flows.
    pub active: &'static str,
}

pub struct AppNav {
    pub id: i64,
    pub name: String,
    pub can_build: bool,
}

impl Layout {
    pub fn new(title: impl Into<String>, user: Option<UserRow>) -> Self {
        Self { title: title.into(), user, app: None, active: "" }
    }

    pub fn for_app(title: impl Into<String>, access: &Access, active: &'static str) -> Self {
        Self {
            title: title.into(),
            user: Some(access.user.clone()),
            app: Some(AppNav { id: access.app.id, name: access.app.name.clone(), can_build: access.role.can_build() }),
            active,
        }
    }
}

/// An error page a person can act on; unexpected failures are logged and shown without
/// detail.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, title: &str, message: &str) -> Self {
        Self { status, title: title.into(), message: message.into() }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no page here. It may have been removed, or the link is wrong.",
        )
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "page failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "It has been logged. Please try again in a moment.",
        )
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::InvalidText(message) => {
                Self::new(StatusCode::BAD_REQUEST, "Not accepted", &format!("{}.", capitalised(&message)))
            }
            other => Self::internal(other),
        }
    }
}

pub(crate) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

impl From<anyhow::Error> for PageError {
    fn from(e: anyhow::Error) -> Self {
        Self::internal(format!("{e:#}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    error: &'a PageError,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage { layout: Layout::new(&self.title, None), error: &self };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message.clone()).into_response(),
        }
    }
}

/// Renders a template with a status; a template error becomes a logged 500.
pub fn render(status: StatusCode, page: &impl Template) -> Result<Response, PageError> {
    let html = page.render().map_err(PageError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// The signed-in user's place in one app.
pub struct Access {
    pub app: AppRow,
    /// Read from `app.structure` when a page first asks: most pages never do, and the
    /// chat page drawn from its cache should not pay for it.
    structure: std::sync::OnceLock<AppStructure>,
    pub role: Role,
    pub user: UserRow,
    /// The app's revision when the session was read with it (see `SessionMember`), for
    /// pages that draw again only what changed; `None` when it was not read.
    pub revision: Option<i64>,
}

impl Access {
    /// Loads the app; a missing app, or one the user is not part of, is a 404 page (it
    /// does not reveal which apps exist).
    pub async fn load(state: &AppState, app_id: i64, user: &UserRow) -> Result<Self, PageError> {
        let Some((app, Some(role))) = state.store.app_with_role(app_id, user.id).await? else {
            return Err(PageError::not_found());
        };
        Ok(Self::of(app, role, user.clone()))
    }

    pub fn of(app: AppRow, role: Role, user: UserRow) -> Self {
        Self { app, structure: std::sync::OnceLock::new(), role, user, revision: None }
    }

    pub fn at_revision(self, revision: Option<i64>) -> Self {
        Self { revision, ..self }
    }

    /// The app's structure (entities, pages); an unreadable one is an empty structure.
    pub fn structure(&self) -> &AppStructure {
        self.structure.get_or_init(|| AppStructure::parse_json(&self.app.structure).unwrap_or_default())
    }

    /// Refuses app users: building is for owners and editors.
    pub fn require_builder(&self, doing: &str) -> Result<(), PageError> {
        if self.role.can_build() {
            Ok(())
        } else {
            Err(PageError::new(
                StatusCode::FORBIDDEN,
                "Editors only",
                &format!("Only editors of this app can {doing}."),
            ))
        }
    }
}

/// Builders land in the chat; app users on the app's integrations overview.
async fn app_home(
    axum::extract::State(state): axum::extract::State<AppState>,
    CurrentUser(user): CurrentUser,
    axum::extract::Path(app_id): axum::extract::Path<i64>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    let to =
        if access.role.can_build() { format!("/apps/{app_id}/chat") } else { format!("/apps/{app_id}/integrations") };
    Ok(Redirect::to(&to).into_response())
}

pub async fn not_found() -> axum::response::Response {
    super::guard::refusal(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page here. It may have been removed, or the link is wrong.",
    )
}

/// A GET of a form's address (a bookmarked or reloaded POST) explains itself.
pub async fn method_not_allowed() -> axum::response::Response {
    super::guard::refusal(
        StatusCode::METHOD_NOT_ALLOWED,
        "Nothing to show here",
        "This address is where a form sends its answer; it has no page of its own. Go back and use the button on the page.",
    )
}
