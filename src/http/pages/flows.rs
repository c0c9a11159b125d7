//! The Flows page: each flow drawn as readable steps (trigger → step → step), its status
//! and what stands in its way, its settings, activation, and its JSON definition to
//! download. The chat shows the same block under the message that presented a flow.

use super::{Access, Layout, PageError, render};
use crate::catalog::Catalog;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::wiring::{self, FlowStatus, StoredFlow, WiringError};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::{BTreeMap, HashMap};

pub struct NodeView {
    pub kind: &'static str,
    pub title: String,
    pub details: Vec<String>,
    pub badge: Option<String>,
    pub scopes: Vec<String>,
}

pub struct SettingView {
    pub name: String,
    pub label: String,
    pub value: String,
}

pub struct FlowView {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub status: &'static str,
    pub reason: String,
    pub nodes: Vec<NodeView>,
    pub problems: Vec<String>,
    pub settings: Vec<SettingView>,
    pub can_activate: bool,
    /// Blocked while it was on: it starts again by itself once its tools are reconnected.
    pub paused: bool,
    /// The tools to reconnect, (id, name), when paused.
    pub reconnect: Vec<(String, String)>,
    /// Paused because the app's owner blocked a connector it uses: reconnecting would not
    /// help; allowing the connector again on Settings brings it back.
    pub blocked_by_owner: bool,
    /// When it runs next, in its time zone (active scheduled flows).
    pub next_run: Option<String>,
    /// How an active flow with a connector trigger watches its provider, in words.
    pub polling: Option<String>,
    pub runs: Vec<super::runs::RunLine>,
}

impl From<WiringError> for PageError {
    fn from(e: WiringError) -> Self {
        match e {
            WiringError::UnknownFlow(_) => PageError::not_found(),
            other => PageError::internal(other),
        }
    }
}

fn permission_label(catalog: &Catalog, connector: &str, scope: &str) -> String {
    catalog.get(connector).and_then(|c| c.permission(scope)).map_or(scope.to_owned(), |p| p.label.clone())
}

/// Everything a person needs to judge a flow, with its status checked now.
pub async fn flow_view(state: &AppState, flow: StoredFlow) -> Result<FlowView, PageError> {
    let report = wiring::check(&state.store, &state.catalog, flow.row.app_id, &flow.definition).await?;
    let nodes = flow
        .definition
        .outline(&state.catalog)
        .into_iter()
        .map(|n| NodeView {
            kind: n.kind,
            badge: n.connector.as_deref().and_then(|c| state.catalog.get(c)).map(|c| c.initials()),
            scopes: n
                .scopes
                .iter()
                .map(|s| permission_label(&state.catalog, n.connector.as_deref().unwrap_or(""), s))
                .collect(),
            title: n.title,
            details: n.details,
        })
        .collect();
    let settings = flow
        .definition
        .settings
        .iter()
        .map(|s| SettingView {
            name: s.name.clone(),
            label: s.label.clone(),
            value: match &s.value {
                Some(serde_json::Value::String(v)) => v.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
        })
        .collect();
    let (next_run, runs) = super::runs::history(state, &flow).await?;
    let polling = super::runs::polling(state, &flow).await?;
    let paused = flow.status() == Some(FlowStatus::Blocked) && flow.row.resume_when_connected == 1;
    let blocked_by_owner = !report.refused.is_empty();
    let reconnect = match paused && !blocked_by_owner {
        true => flow
            .definition
            .connections()
            .into_iter()
            .filter_map(|c| state.catalog.get(&c.connector).map(|conn| (c.connector.clone(), conn.name.clone())))
            .collect(),
        false => Vec::new(),
    };
    // What the runner said when it paused the flow, when today's check finds nothing.
    let reason = report.status_reason().or_else(|| paused.then(|| flow.row.status_reason.clone()).flatten());
    let status = match flow.status() {
        Some(FlowStatus::Active) => "active",
        Some(FlowStatus::Blocked) => "blocked",
        _ => "draft",
    };
    Ok(FlowView {
        id: flow.row.id,
        name: flow.row.name.clone(),
        version: flow.row.version,
        status,
        reason: reason.unwrap_or_default(),
        nodes,
        problems: report.problems.iter().map(ToString::to_string).collect(),
        settings,
        can_activate: report.can_activate() && status != "active",
        paused,
        reconnect,
        blocked_by_owner,
        next_run,
        polling,
        runs,
    })
}

#[derive(Template)]
#[template(path = "flows/index.html")]
struct FlowsPage {
    layout: Layout,
    app_id: i64,
    flows: Vec<FlowView>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("review flows")?;
    let mut flows = Vec::new();
    for flow in wiring::list(&state.store, app_id).await? {
        flows.push(flow_view(&state, flow).await?);
    }
    let layout = Layout::for_app(format!("{} · Flows", access.app.name), &access, "flows");
    render(StatusCode::OK, &FlowsPage { layout, app_id, flows })
}

pub(super) async fn owned_flow(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    flow_id: i64,
) -> Result<StoredFlow, PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder("change flows")?;
    wiring::load(&state.store, flow_id).await?.filter(|f| f.row.app_id == app_id).ok_or_else(PageError::not_found)
}

/// The JSON definition, as a download.
pub async fn download(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, file)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let flow_id: i64 = file.strip_suffix(".json").and_then(|id| id.parse().ok()).ok_or_else(PageError::not_found)?;
    let flow = owned_flow(&state, &user, app_id, flow_id).await?;
    let disposition = format!("attachment; filename=\"flow-{flow_id}-v{}.json\"", flow.row.version);
    Ok((
        [(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        flow.definition.to_json_pretty(),
    )
        .into_response())
}

pub async fn activate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    owned_flow(&state, &user, app_id, flow_id).await?;
    let (status, report) = crate::runner::scheduler::activate(&state.store, &state.catalog, flow_id).await?;
    let detail = report.status_reason();
    state
        .store
        .audit(Some(app_id), Some(user.id), &format!("flow_{}", status.as_str()), None, None, detail.as_deref())
        .await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/flows#flow-{flow_id}")).into_response())
}

pub async fn deactivate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    owned_flow(&state, &user, app_id, flow_id).await?;
    crate::runner::scheduler::pause(&state.store, &state.catalog, flow_id).await?;
    state.store.audit(Some(app_id), Some(user.id), "flow_deactivated", None, None, None).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/flows#flow-{flow_id}")).into_response())
}

/// The builder's answers to the flow's questions ("Which Slack channel?"), as a new version.
pub async fn settings(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let flow = owned_flow(&state, &user, app_id, flow_id).await?;
    let values: BTreeMap<String, serde_json::Value> = flow
        .definition
        .settings
        .iter()
        .filter_map(|s| form.get(&format!("setting.{}", s.name)).map(|v| (s.name.clone(), v.trim())))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, serde_json::Value::String(v.to_owned())))
        .collect();
    if !values.is_empty() {
        wiring::choose_settings(&state.store, &state.catalog, flow_id, &values, Some(user.id)).await?;
    }
    Ok(Redirect::to(&format!("/apps/{app_id}/flows#flow-{flow_id}")).into_response())
}
