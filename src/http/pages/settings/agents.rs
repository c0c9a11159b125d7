//! Settings → Agents (owners): what the app's MCP server offers AI agents. Per action:
//! listed when its tool is connected (the default), always listed (pinned, so an agent can
//! ask for it to be connected), or kept from agents (hidden); and whether write actions wait
//! for a person to confirm each call.

use super::SettingsPage;
use crate::catalog::Catalog;
use crate::http::AppState;
use crate::http::auth::Owner;
use crate::http::pages::PageError;
use crate::mcp::rules::{AgentRules, HIDDEN, PINNED, action_id};
use crate::store::StoreError;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;

pub struct AgentToolLine {
    /// `gmail.send_email`: the form field's name too.
    pub id: String,
    pub name: String,
    /// `default`, `pinned` or `hidden`.
    pub rule: &'static str,
}

/// One connector's runnable actions.
pub struct AgentToolGroup {
    pub id: String,
    pub name: String,
    pub search: String,
    pub lines: Vec<AgentToolLine>,
}

impl AgentToolGroup {
    /// Opened on the page when something differs from the default.
    pub fn any_set(&self) -> bool {
        self.lines.iter().any(|l| l.rule != "default")
    }
}

pub struct AgentsView {
    pub confirm_writes: bool,
    pub groups: Vec<AgentToolGroup>,
    /// Agents' apps a builder let in with OAuth, newest first.
    pub signed_in: Vec<SignedInAgent>,
}

pub struct SignedInAgent {
    pub grant_id: i64,
    pub client: String,
    pub by: String,
    pub since: String,
}

/// The agents signed in to the app's MCP server, with who allowed each.
pub async fn signed_in(state: &AppState, app_id: i64) -> Result<Vec<SignedInAgent>, StoreError> {
    let mut agents = Vec::new();
    for grant in state.store.mcp_grants_of_app(app_id).await? {
        let by = state.store.user(grant.user_id).await?.map_or_else(|| "someone".to_owned(), |u| u.name);
        agents.push(SignedInAgent {
            grant_id: grant.id,
            client: grant.client_name,
            by,
            since: crate::http::pages::integrations::when(Some(grant.created_at)),
        });
    }
    Ok(agents)
}

pub fn view(catalog: &Catalog, rules: &AgentRules) -> AgentsView {
    let mut groups: Vec<AgentToolGroup> = catalog
        .iter()
        .filter(|c| c.bound_actions().next().is_some())
        .map(|c| AgentToolGroup {
            id: c.id.to_string(),
            name: c.name.clone(),
            search: format!("{} {}", c.name, c.id).to_lowercase(),
            lines: c
                .bound_actions()
                .map(|a| {
                    let id = action_id(c, a);
                    let rule = if rules.hides(&id) {
                        "hidden"
                    } else if rules.pins(&id) {
                        "pinned"
                    } else {
                        "default"
                    };
                    AgentToolLine { id, name: a.name.clone(), rule }
                })
                .collect(),
        })
        .collect();
    groups.sort_by_key(|g| g.name.to_lowercase());
    AgentsView { confirm_writes: rules.confirm_writes, groups, signed_in: Vec::new() }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    confirm_writes: Option<String>,
}

pub async fn save_agent_confirmation(
    State(state): State<AppState>,
    Owner(access): Owner,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let on = form.confirm_writes.is_some();
    state.store.set_agent_confirm_writes(access.app.id, on, access.user.id).await?;
    let detail = if on { "write actions need a person's confirmation" } else { "write actions run at once" };
    state.store.audit(Some(access.app.id), Some(access.user.id), "agents.changed", None, None, Some(detail)).await?;
    let notice = format!("Agents: {detail}.");
    SettingsPage::load(&state, &access).await?.with_notice(notice).render(StatusCode::OK)
}

/// One connector's actions: each field is an action id with `default`, `pinned` or `hidden`.
pub async fn save_agent_tools(
    State(state): State<AppState>,
    Owner(access): Owner,
    Path((_, connector)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let connector = state.catalog.get(&connector).ok_or_else(PageError::not_found)?;
    for action in connector.bound_actions() {
        let id = action_id(connector, action);
        let rule = match form.get(&id).map(String::as_str) {
            Some("pinned") => Some(PINNED),
            Some("hidden") => Some(HIDDEN),
            _ => None,
        };
        state.store.set_agent_tool_rule(app_id, &id, rule).await?;
    }
    let detail = format!("which {} actions agents see", connector.name);
    let by = Some(access.user.id);
    state.store.audit(Some(app_id), by, "agents.changed", Some(connector.id.as_str()), None, Some(&detail)).await?;
    let notice = format!("Saved what agents see of {}.", connector.name);
    SettingsPage::load(&state, &access).await?.with_notice(notice).render(StatusCode::OK)
}

/// Takes back an agent's OAuth access: its tokens stop working at once.
pub async fn revoke_agent(
    State(state): State<AppState>,
    Owner(access): Owner,
    Path((_, grant_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let grant =
        state.store.mcp_grant(grant_id).await?.filter(|g| g.app_id == app_id).ok_or_else(PageError::not_found)?;
    state.store.revoke_mcp_grant(app_id, grant_id).await?;
    let detail = format!("{} ({})", grant.client_name, grant.client_id);
    state.store.audit(Some(app_id), Some(access.user.id), "agent.access_revoked", None, None, Some(&detail)).await?;
    let notice = format!("{} can no longer use this app: its tokens now get 401.", grant.client_name);
    SettingsPage::load(&state, &access).await?.with_notice(notice).render(StatusCode::OK)
}
