//! Integrations → My integrations: each connection with its account, status and reason,
//! who connected it and when, when it was last used; View access; and the actions an
//! editor may take (reconnect, switch account, disconnect, remove), each audited.

use super::{Access, Layout, PageError, render};
use crate::card::PermissionLine;
use crate::connections::Status;
use crate::connections::policy::Kind;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::store::{ConnectionRow, TokenUpdate, now};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct ConnectionView {
    pub id: i64,
    pub connector: String,
    pub name: String,
    pub initials: String,
    pub account: String,
    pub status: &'static str,
    pub status_kind: &'static str,
    pub reason: String,
    pub connected_by: String,
    pub connected_at: String,
    pub last_used: String,
    pub scopes: Vec<PermissionLine>,
    pub flows: Vec<super::flow_use::FlowUse>,
    pub has_tokens: bool,
    /// Calls, failures and the last error of the past week.
    pub recent: super::recent_use::RecentLine,
    /// It holds tokens and its connector has actions patchbay can run.
    pub can_try: bool,
    /// Why it cannot be used or reconnected, when the app's owner blocked its connector.
    pub blocked: String,
    /// Connected with typed credentials: replaced on a form, not by signing in again.
    pub typed: bool,
}

/// One line of the audit log, as the page shows it.
pub struct ActivityView {
    pub when: String,
    pub who: String,
    pub what: String,
}

pub struct SwitchPrompt {
    pub id: String,
    pub old: String,
    pub new: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "integrations/index.html")]
struct IntegrationsPage {
    layout: Layout,
    app_id: i64,
    can_act: bool,
    connections: Vec<ConnectionView>,
    switch: Option<SwitchPrompt>,
    notice: Option<(String, bool)>,
    activity: Vec<ActivityView>,
    app_users: Vec<super::app_user_connectors::AppUserConnectorView>,
    public_url: String,
    redirect_uri: String,
    custom_apis: Vec<super::custom_apis::CustomApiView>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    switch: Option<String>,
    done: Option<String>,
    notice: Option<String>,
    c: Option<String>,
}

pub fn when(ts: Option<i64>) -> String {
    match ts.and_then(|t| chrono::DateTime::from_timestamp(t, 0)) {
        Some(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => "never".into(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    let members = state.store.members(app_id).await?;
    let flow_uses = super::flow_use::of_app(&state, app_id).await?;
    let mut recent = super::recent_use::lines(&state, app_id).await?;
    let policy = crate::connections::policy::Policy::load(&state.store, app_id).await?;
    let mut views = Vec::new();
    for row in state.store.connections_of_app(app_id).await?.into_iter().filter(|r| r.kind == "shared") {
        if crate::catalog::is_custom(&row.connector) {
            // Listed with its custom API below.
            continue;
        }
        let connector = state.catalog.get(&row.connector);
        let readable = state.connections.tokens_readable(&row);
        let status = if readable { Status::parse(&row.status) } else { Status::Error };
        let reason = if readable {
            row.status_reason.clone().unwrap_or_default()
        } else {
            "Needs attention: its tokens cannot be decrypted with this server's key. Reconnect to replace them.".into()
        };
        let scopes = row
            .granted_scopes()?
            .into_iter()
            .map(|s| PermissionLine {
                label: connector.and_then(|c| c.permission(&s)).map_or(s.clone(), |p| p.label.clone()),
                scope: s,
            })
            .collect();
        views.push(ConnectionView {
            id: row.id,
            connector: row.connector.clone(),
            name: connector.map_or(row.connector.clone(), |c| c.name.clone()),
            initials: connector.map_or("?".into(), |c| c.initials()),
            account: row.account.clone().unwrap_or_else(|| "unknown account".into()),
            status: status.label(),
            status_kind: status.as_str(),
            reason,
            connected_by: members
                .iter()
                .find(|m| Some(m.user.id) == row.connected_by)
                .map_or("a former member".into(), |m| m.user.name.clone()),
            connected_at: when(Some(row.connected_at)),
            last_used: when(row.last_used_at),
            scopes,
            flows: flow_uses.iter().filter(|f| f.connector == row.connector).cloned().collect(),
            has_tokens: row.sealed_tokens.is_some(),
            recent: recent.remove(&row.id).unwrap_or_else(super::recent_use::unused),
            can_try: row.sealed_tokens.is_some() && connector.is_some_and(|c| c.bound_actions().next().is_some()),
            blocked: connector
                .and_then(|c| policy.blocked(c, Kind::parse(&row.kind).unwrap_or(Kind::Shared)))
                .map(|b| b.to_string())
                .unwrap_or_default(),
            typed: connector.is_some_and(|c| c.auth.kind.typed()),
        });
    }
    let switch = match &q.switch {
        Some(id) => switch_prompt(&state, app_id, user.id, id).await?,
        None => None,
    };
    let name_of = |id: &str| state.catalog.get(id).map_or(id.to_owned(), |c| c.name.clone());
    let notice = match (q.done.as_deref(), q.notice.as_deref(), q.c.as_deref()) {
        (Some(c), _, _) => {
            views.iter().find(|v| v.connector == c).map(|v| (format!("Connected {} as {}.", v.name, v.account), false))
        }
        (_, Some("disconnected"), Some(c)) => {
            Some((format!("{} is disconnected: its tokens were revoked and deleted.", name_of(c)), false))
        }
        (_, Some("disconnected_unconfirmed"), Some(c)) => {
            let n = name_of(c);
            Some((
                format!(
                    "{n} is disconnected and its tokens are deleted, but {n} did not confirm the revocation: remove patchbay's access in your {n} account settings."
                ),
                true,
            ))
        }
        (_, Some("credentials_deleted"), Some(c)) => {
            state.catalog.get(c).map(|connector| (crate::credentials::disconnect_notice(connector), true))
        }
        (_, Some("credentials_replaced"), Some(c)) => Some((
            format!("{} accepted the new credentials; they replace the old ones, which patchbay deleted.", name_of(c)),
            false,
        )),
        (_, Some("removed"), Some(c)) => Some((format!("{} was removed from this app.", name_of(c)), false)),
        (_, Some("switched"), Some(c)) => Some((format!("{} now uses the new account.", name_of(c)), false)),
        (_, Some("kept"), Some(c)) => Some((format!("{} keeps its current account.", name_of(c)), false)),
        _ => None,
    };
    let custom_apis = super::custom_apis::views(&state, app_id).await?;
    let notice = notice.or_else(|| super::custom_apis::notice(q.notice.as_deref(), q.c.as_deref(), &custom_apis));
    // The audit log, for the people who can act on what it says.
    let activity = if access.role.can_build() {
        state
            .store
            .audit_of_app(app_id, 15)
            .await?
            .into_iter()
            .map(|e| ActivityView {
                when: when(Some(e.at)),
                who: match members.iter().find(|m| Some(m.user.id) == e.user_id) {
                    Some(m) => m.user.name.clone(),
                    None if e.action.starts_with("app_user.") => "An app user".into(),
                    None => "patchbay".into(),
                },
                what: describe_activity(&state, &e, &custom_apis),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = IntegrationsPage {
        layout: Layout::for_app(format!("{} · My integrations", access.app.name), &access, "integrations"),
        app_id,
        can_act: access.role.can_build(),
        connections: views,
        switch,
        notice,
        activity,
        app_users: super::app_user_connectors::views(&state, app_id).await?,
        public_url: state.settings.public_url(),
        redirect_uri: state.settings.redirect_uri(),
        custom_apis,
    };
    render(StatusCode::OK, &page)
}

fn describe_activity(
    state: &AppState,
    e: &crate::store::AuditEntry,
    custom: &[super::custom_apis::CustomApiView],
) -> String {
    let name = |c: &str| match state.catalog.get(c) {
        Some(x) => x.name.clone(),
        None if crate::catalog::is_custom(c) => {
            custom.iter().find(|a| a.connector == c).map_or("a custom API".into(), |a| a.name.clone())
        }
        None => c.to_owned(),
    };
    let tool = e.connector.as_deref().map(name);
    let account = e.account.as_deref().map(|a| format!(" ({a})")).unwrap_or_default();
    let verb = match e.action.as_str() {
        "connect" => "connected",
        "reconnect" => "reconnected",
        "switch" => "switched the account of",
        "disconnect" => "disconnected",
        "remove" => "removed",
        "keep_account" => "kept the account of",
        "card_skipped" => "skipped",
        "card_restored" => "brought back the card for",
        "try_action" => "tried an action of",
        "app_user_connector.set_up" => "set up for app users:",
        "app_user_connector.client" => "gave the app's own OAuth client to",
        "app_user_connector.removed" => "removed for app users:",
        "app_user.connected" => "connected their own",
        "app_user.disconnected" => "disconnected their own",
        "connector.policy_changed" => "changed what is allowed for",
        "custom_api_added" => "added",
        "custom_api_secret_replaced" => "replaced the secret of",
        "custom_api_removed" => "removed",
        "replace_credentials" => "replaced the credentials of",
        other => other,
    };
    let mut line = match tool {
        Some(tool) => format!("{verb} {tool}{account}"),
        None => format!("{}{account}", verb.replace('_', " ")),
    };
    if let Some(detail) = &e.detail {
        line.push_str(&format!(" — {detail}"));
    }
    line
}

async fn switch_prompt(
    state: &AppState,
    app_id: i64,
    user_id: i64,
    id: &str,
) -> Result<Option<SwitchPrompt>, PageError> {
    let Some(pending) = state.store.pending_switch(id).await? else { return Ok(None) };
    let Some(conn) = state.store.connection(pending.connection_id).await?.filter(|c| c.app_id == app_id) else {
        return Ok(None);
    };
    if pending.user_id != user_id || pending.valid_until <= now() {
        return Ok(None);
    }
    let name = state.catalog.get(&conn.connector).map_or(conn.connector.clone(), |c| c.name.clone());
    Ok(Some(SwitchPrompt { id: pending.id, old: conn.account.unwrap_or_default(), new: pending.account, name }))
}

/// The connection, if it belongs to the app; editors only.
async fn for_action(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    id: i64,
    doing: &str,
) -> Result<(Access, ConnectionRow), PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder(doing)?;
    let row = state.store.connection(id).await?.filter(|c| c.app_id == app_id).ok_or_else(PageError::not_found)?;
    Ok((access, row))
}

pub async fn disconnect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (_, row) = for_action(&state, &user, app_id, id, "disconnect tools").await?;
    let warning = state.connections.disconnect(&row, &user.name).await?;
    let detail = warning.as_ref().map(|w| w.to_string());
    state
        .store
        .audit(
            Some(app_id),
            Some(user.id),
            "disconnect",
            Some(&row.connector),
            row.account.as_deref(),
            detail.as_deref(),
        )
        .await?;
    crate::http::connect::recheck_flows(&state, app_id).await;
    let typed = state.catalog.get(&row.connector).is_some_and(|c| c.auth.kind.typed());
    let notice = match (typed, warning.is_some()) {
        (true, _) => "credentials_deleted",
        (false, true) => "disconnected_unconfirmed",
        (false, false) => "disconnected",
    };
    Ok(Redirect::to(&format!("/apps/{app_id}/integrations?notice={notice}&c={}", row.connector)).into_response())
}

#[derive(Template)]
#[template(path = "integrations/remove.html")]
struct ConfirmPage {
    layout: Layout,
    app_id: i64,
    id: i64,
    name: String,
    account: String,
    flows: Vec<super::flow_use::FlowUse>,
    /// `disconnect` (tokens go, the record stays) or `remove` (everything goes).
    action: &'static str,
    /// For a key: nothing can be revoked at the provider, and where the builder does it.
    key_note: Option<String>,
}

/// Disconnect and Remove ask first, and list the flows that depend on the connection.
async fn confirm(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    id: i64,
    action: &'static str,
) -> Result<Response, PageError> {
    let (access, row) = for_action(state, user, app_id, id, &format!("{action} tools")).await?;
    let name = state.catalog.get(&row.connector).map_or(row.connector.clone(), |c| c.name.clone());
    let flows =
        super::flow_use::of_app(state, app_id).await?.into_iter().filter(|f| f.connector == row.connector).collect();
    let verb = if action == "remove" { "Remove" } else { "Disconnect" };
    let layout = Layout::for_app(format!("{verb} {name}"), &access, "integrations");
    let account = row.account.unwrap_or_default();
    let key_note = state.catalog.get(&row.connector).filter(|c| c.auth.kind.typed()).map(|c| {
        let how = c.auth.revoke_help.clone().unwrap_or_else(|| format!("withdraw it in your {name} account settings"));
        format!("patchbay deletes its copy of the credentials, but cannot revoke a key at {name}: {how}.")
    });
    render(StatusCode::OK, &ConfirmPage { layout, app_id, id, name, account, flows, action, key_note })
}

pub async fn confirm_remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    confirm(&state, &user, app_id, id, "remove").await
}

pub async fn confirm_disconnect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    confirm(&state, &user, app_id, id, "disconnect").await
}

pub async fn remove(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let (_, row) = for_action(&state, &user, app_id, id, "remove tools").await?;
    let warning = state.connections.remove(&row).await?;
    let detail = warning.as_ref().map(|w| w.to_string());
    state
        .store
        .audit(Some(app_id), Some(user.id), "remove", Some(&row.connector), row.account.as_deref(), detail.as_deref())
        .await?;
    crate::http::connect::recheck_flows(&state, app_id).await;
    Ok(Redirect::to(&format!("/apps/{app_id}/integrations?notice=removed&c={}", row.connector)).into_response())
}

#[derive(Deserialize)]
pub struct SwitchForm {
    action: String,
}

/// "This is b@x.com, not a@x.com — switch to it?": applies or drops the held tokens.
pub async fn decide_switch(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, switch_id)): Path<(i64, String)>,
    Form(form): Form<SwitchForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("switch accounts")?;
    let pending = state.store.take_pending_switch(&switch_id).await?.ok_or_else(PageError::not_found)?;
    let conn = state
        .store
        .connection(pending.connection_id)
        .await?
        .filter(|c| c.app_id == app_id)
        .ok_or_else(PageError::not_found)?;
    if pending.user_id != user.id || pending.valid_until <= now() {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Nothing changed",
            "This choice expired or belongs to someone else. Reconnect again.",
        ));
    }
    if form.action != "switch" {
        state
            .store
            .audit(
                Some(app_id),
                Some(user.id),
                "keep_account",
                Some(&conn.connector),
                conn.account.as_deref(),
                Some(&format!("declined {}", pending.account)),
            )
            .await?;
        return Ok(
            Redirect::to(&format!("/apps/{app_id}/integrations?notice=kept&c={}", conn.connector)).into_response()
        );
    }
    let scopes = pending.granted_scopes()?;
    let update = TokenUpdate {
        sealed_tokens: Some(&pending.sealed_tokens),
        expires_at: pending.expires_at,
        granted_scopes: Some(&scopes),
        account: Some(&pending.account),
        status: Status::Connected.as_str(),
        status_reason: None,
    };
    let mut version = conn.version;
    let mut saved = false;
    for _ in 0..3 {
        if state.store.update_tokens(conn.id, version, update.clone()).await? {
            saved = true;
            break;
        }
        version = state.store.connection(conn.id).await?.map_or(version, |c| c.version);
    }
    if !saved {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            "Nothing changed",
            "The connection changed at the same time. Try again.",
        ));
    }
    state.store.set_connected_by(conn.id, user.id).await?;
    let detail = format!("from {}", conn.account.as_deref().unwrap_or("unknown"));
    state
        .store
        .audit(Some(app_id), Some(user.id), "switch", Some(&conn.connector), Some(&pending.account), Some(&detail))
        .await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/integrations?notice=switched&c={}", conn.connector)).into_response())
}
