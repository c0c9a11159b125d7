//! **Connect to <Tool>** and `/oauth/callback`: start an authorization from a card (or from
//! My integrations) and finish it, then tell the chat what happened in plain words.

use super::AppState;
use super::auth::CurrentUser;
use super::pages::{Access, PageError};
use crate::card::required_scopes;
use crate::chat;
use crate::oauth::app_user::AppUserError;
use crate::oauth::{Begin, BeginError, CallbackError, CallbackQuery, Context, Outcome, Purpose};
use crate::store::NewMessage;
use axum::extract::{Form, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ConnectForm {
    connector: String,
    message_id: Option<i64>,
    #[serde(default = "shared")]
    kind: String,
    #[serde(default)]
    purpose: String,
    /// An action whose permissions to ask for (from Try an action, after a 403).
    action: Option<String>,
    /// `typed.<name>`: what the builder typed for a provider on its own host (a shop).
    #[serde(flatten)]
    typed: std::collections::HashMap<String, String>,
}

fn shared() -> String {
    "shared".into()
}

pub async fn connect(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Form(form): Form<ConnectForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("connect tools")?;
    let Some(connector) = state.catalog.get(&form.connector) else { return Err(PageError::not_found()) };
    if connector.auth.kind.typed() {
        let purpose = Purpose::Connect;
        let ctx = Context { app_id, connector: form.connector.clone(), message_id: form.message_id, purpose };
        let reason = format!("{} connects with credentials, not a sign-in: type them on its card.", connector.name);
        return failed(&state, &ctx, &reason, &user).await;
    }
    match form.kind.as_str() {
        "shared" => {}
        "app_user" => return for_app_users(&state, &user, app_id, connector, form.message_id).await,
        _ => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "Not accepted",
                "Choose a shared or an app user connector.",
            ));
        }
    }
    let mut scopes = required_scopes(connector, None);
    if form.message_id.is_none() {
        // From My integrations: ask for what the app's flows use (begin adds what is granted).
        let uses = super::pages::flow_use::of_app(&state, app_id).await?;
        let flow_scopes: Vec<String> =
            uses.into_iter().filter(|u| u.connector == form.connector).flat_map(|u| u.scopes).collect();
        if !flow_scopes.is_empty() {
            scopes = connector.auth.base_scopes.clone();
            scopes.extend(flow_scopes.into_iter().filter(|s| !connector.auth.base_scopes.contains(s)));
            scopes.dedup();
        }
    }
    if let Some(action) = form.action.as_deref().and_then(|a| connector.action(a)) {
        // Begin adds what is already granted: asking for the action's scopes adds them.
        scopes = connector.auth.base_scopes.clone();
        scopes.extend(action.scopes.iter().filter(|s| !scopes.contains(s)).cloned().collect::<Vec<_>>());
    }
    if let Some(message_id) = form.message_id {
        super::pages::card_exists(&state, app_id, message_id, &form.connector).await?;
        let message = state.store.message(message_id).await?.ok_or_else(PageError::not_found)?;
        let payload = chat::payload_of(&message);
        let selected = payload.route.as_ref().and_then(|r| r.selected.iter().find(|s| s.connector == form.connector));
        scopes = required_scopes(connector, selected);
    }
    let purpose = match form.purpose.as_str() {
        "reconnect" => Purpose::Reconnect,
        "switch" => Purpose::Switch,
        _ => Purpose::Connect,
    };
    let typed = typed_values(connector, &form.typed)?;
    let begin = Begin {
        app_id,
        user_id: user.id,
        connector: form.connector.clone(),
        scopes,
        purpose,
        message_id: form.message_id,
        typed,
    };
    match state.oauth.begin(begin).await {
        Ok(url) => Ok(Redirect::to(&url).into_response()),
        Err(BeginError::Store(e)) => Err(e.into()),
        Err(e @ BeginError::Blocked(_)) => {
            Err(PageError::new(StatusCode::FORBIDDEN, "Blocked by the app's owner", &e.to_string()))
        }
        Err(e @ BeginError::AlreadyConnected { .. }) => {
            // The card keeps showing the connection in use; the chat says why nothing began.
            let ctx = Context { app_id, connector: form.connector, message_id: form.message_id, purpose };
            match ctx.message_id {
                Some(_) => finish(&state, &ctx, &e.to_string()).await,
                None => Err(PageError::new(StatusCode::CONFLICT, "Already connected", &e.to_string())),
            }
        }
        Err(e) => {
            let ctx = Context { app_id, connector: form.connector, message_id: form.message_id, purpose };
            failed(&state, &ctx, &e.to_string(), &user).await
        }
    }
}

/// The one redirect URI providers know: an app user's sign-in (no patchbay account) goes
/// to its own page; a builder's needs them signed in.
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<CallbackQuery>,
    mut parts: Parts,
) -> Result<Response, PageError> {
    if let Some(s) = q.state.as_deref()
        && state.oauth.is_app_user_state(s).await?
    {
        return super::app_user_connect::finished(&state, &jar, q).await;
    }
    let user = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(CurrentUser(user)) => user,
        Err(to_sign_in) => return Ok(to_sign_in),
    };
    let outcome = match state.oauth.complete(user.id, q).await {
        Ok(o) => o,
        Err(CallbackError::Store(e)) => return Err(e.into()),
        Err(e @ CallbackError::OtherUser { .. }) => {
            return Err(PageError::new(StatusCode::FORBIDDEN, "Not your sign-in", &e.to_string()));
        }
        Err(e) => return Err(PageError::new(StatusCode::BAD_REQUEST, "Nothing was connected", &e.to_string())),
    };
    match outcome {
        Outcome::Connected { ctx, account, missing, .. } => {
            let name = state.catalog.get(&ctx.connector).map_or(ctx.connector.clone(), |c| c.name.clone());
            state
                .store
                .audit(
                    Some(ctx.app_id),
                    Some(user.id),
                    ctx.purpose.as_str(),
                    Some(&ctx.connector),
                    Some(&account),
                    None,
                )
                .await?;
            let mut text = format!("Connected {name} as {account}.");
            if !missing.is_empty() {
                let labels: Vec<String> = missing.iter().map(|s| permission_label(&state, &ctx.connector, s)).collect();
                text.push_str(&format!(
                    " {name} did not grant: {}. Anything that needs it will ask again.",
                    labels.join("; ")
                ));
            }
            if let Some(message_id) = ctx.message_id {
                state
                    .store
                    .set_card_state(message_id, &ctx.connector, "connected", Some(&account), Some(user.id))
                    .await?;
            }
            let data = serde_json::json!({"connector": ctx.connector, "account": account, "missing_scopes": missing});
            crate::runner::webhooks::emit(&state.store, ctx.app_id, "connection.connected", data).await?;
            let response = finish(&state, &ctx, &text).await?;
            // Flows waiting for this connection (or its new scopes) may run now.
            recheck_flows(&state, ctx.app_id).await;
            // The chat turn that asked for it goes on: with every tool connected, the flow.
            if let (Some(message_id), Some(app)) = (ctx.message_id, state.store.app(ctx.app_id).await?)
                && let Some(answer) = state.store.message(message_id).await?
            {
                chat::flows::continue_turn(&state.store, &state.catalog, &app, &user, &answer).await?;
            }
            Ok(response)
        }
        Outcome::AccountDiffers { ctx, switch_id, .. } => {
            Ok(Redirect::to(&format!("/apps/{}/integrations?switch={switch_id}", ctx.app_id)).into_response())
        }
        Outcome::Failed { ctx, reason } => failed(&state, &ctx, &reason, &user).await,
    }
}

/// The builder chose an app user connector: nothing to authorize now; each person who
/// uses the app connects their own account later, with the scopes the card showed.
async fn for_app_users(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    connector: &crate::catalog::Connector,
    message_id: Option<i64>,
) -> Result<Response, PageError> {
    let mut scopes = None;
    if let Some(message_id) = message_id {
        super::pages::card_exists(state, app_id, message_id, connector.id.as_str()).await?;
        let message = state.store.message(message_id).await?.ok_or_else(PageError::not_found)?;
        let route = chat::payload_of(&message).route;
        let selected = route.as_ref().and_then(|r| r.selected.iter().find(|s| s.connector == connector.id.as_str()));
        scopes = Some(required_scopes(connector, selected));
    }
    let set_up = crate::oauth::app_user::SetUp {
        app_id,
        connector: connector.id.as_str(),
        scopes: scopes.as_deref(),
        client: None,
        by: Some(user.id),
    };
    match state.oauth.set_up_app_user_connector(set_up).await {
        Ok(_) => {}
        Err(AppUserError::Store(e)) => return Err(e.into()),
        Err(e @ AppUserError::Blocked(_)) => {
            return Err(PageError::new(StatusCode::FORBIDDEN, "Blocked", &e.to_string()));
        }
        Err(e) => return Err(PageError::new(StatusCode::BAD_REQUEST, "Not set up", &e.to_string())),
    }
    state
        .store
        .audit(Some(app_id), Some(user.id), "app_user_connector.set_up", Some(connector.id.as_str()), None, None)
        .await?;
    let Some(message_id) = message_id else {
        return Ok(Redirect::to(&format!("/apps/{app_id}/integrations#app-users")).into_response());
    };
    state.store.set_card_state(message_id, connector.id.as_str(), "app_users", None, Some(user.id)).await?;
    let name = &connector.name;
    let text = format!(
        "{name} is set up as an app user connector: each person who uses the app connects their own {name} account. My integrations shows how your app's backend gives them their link."
    );
    let ctx = Context {
        app_id,
        connector: connector.id.to_string(),
        message_id: Some(message_id),
        purpose: Purpose::Connect,
    };
    let response = finish(state, &ctx, &text).await?;
    if let (Some(app), Some(answer)) = (state.store.app(app_id).await?, state.store.message(message_id).await?) {
        chat::flows::continue_turn(&state.store, &state.catalog, &app, user, &answer).await?;
    }
    Ok(response)
}

/// Records a failure where the builder will look for it: on the card and in the chat,
/// saying who, since other editors read the same card ("Ada cancelled at Gmail").
pub(super) async fn failed(
    state: &AppState,
    ctx: &Context,
    reason: &str,
    user: &crate::store::UserRow,
) -> Result<Response, PageError> {
    let reason = match reason.strip_prefix("You cancelled") {
        Some(rest) => format!("{} cancelled{rest}", user.name),
        None => reason.to_owned(),
    };
    let reason = reason.as_str();
    if let Some(message_id) = ctx.message_id {
        state.store.set_card_state(message_id, &ctx.connector, "failed", Some(reason), Some(user.id)).await?;
        return finish(state, ctx, reason).await;
    }
    Err(PageError::new(StatusCode::BAD_REQUEST, "Nothing was connected", reason))
}

/// Says it in the chat (when a card started it) and returns the builder there.
pub(super) async fn finish(state: &AppState, ctx: &Context, text: &str) -> Result<Response, PageError> {
    let Some(message_id) = ctx.message_id else {
        return Ok(Redirect::to(&format!("/apps/{}/integrations?done={}", ctx.app_id, ctx.connector)).into_response());
    };
    state
        .store
        .add_message(NewMessage { app_id: ctx.app_id, author_id: None, role: "assistant", body: text, payload: None })
        .await?;
    Ok(Redirect::to(&format!("/apps/{}/chat#card-{message_id}-{}", ctx.app_id, ctx.connector)).into_response())
}

/// Brings stored flow statuses in line with the app's connections (blocked ↔ draft, and
/// blocked → active for a flow that was on), and their schedules with the statuses.
pub async fn recheck_flows(state: &AppState, app_id: i64) {
    let changed = match crate::wiring::recheck_app(&state.store, &state.catalog, app_id).await {
        Ok(changed) => changed,
        Err(e) => return tracing::warn!(app = app_id, error = %e, "could not recheck the app's flows"),
    };
    for (flow_id, _) in changed {
        if let Err(e) = crate::runner::scheduler::sync_flow(&state.store, flow_id).await {
            tracing::warn!(flow = flow_id, error = %e, "could not bring the flow's schedule in line");
        }
    }
}

fn permission_label(state: &AppState, connector: &str, scope: &str) -> String {
    state.catalog.get(connector).and_then(|c| c.permission(scope)).map_or(scope.to_owned(), |p| p.label.clone())
}

/// The values the card asked for (`typed.shop`), each a host name or an id: a value that
/// could move the sign-in elsewhere is refused before anything starts.
fn typed_values(
    connector: &crate::catalog::Connector,
    form: &std::collections::HashMap<String, String>,
) -> Result<serde_json::Map<String, serde_json::Value>, PageError> {
    let mut typed = serde_json::Map::new();
    for asked in connector.typed_values() {
        let Some(value) = form.get(&format!("typed.{}", asked.name)).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
            continue;
        };
        if !crate::actions::target::is_host_label(value) {
            let message = format!("'{value}' is not what {} asks for here: {}.", connector.name, asked.label);
            return Err(PageError::new(StatusCode::BAD_REQUEST, "Not accepted", &message));
        }
        typed.insert(asked.name.clone(), serde_json::Value::String(value.to_owned()));
    }
    Ok(typed)
}
