//! `/connect/{token}`: the page an app user reaches from the host's connect link. It names
//! the app and what it may do with their account, then sends them to the provider (or lets
//! them disconnect the account they connected before). The provider returns them to
//! `/oauth/callback`, which hands app users' states to [`finished`].

use super::AppState;
use super::pages::{Layout, PageError, render};
use crate::digest::sha256_hex as hash;
use crate::oauth::CallbackQuery;
use crate::oauth::app_user::{AppUserError, BROWSER_COOKIE, Finished};
use crate::store::ConnectSessionRow;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "connect/session.html")]
struct SessionPage {
    layout: Layout,
    app_name: String,
    connector_name: String,
    can_read: Vec<String>,
    can_write: Vec<String>,
    /// The account this person connected before, if any.
    connected_as: Option<String>,
    token: String,
    return_url: Option<String>,
}

#[derive(Template)]
#[template(path = "connect/done.html")]
struct DonePage {
    layout: Layout,
    heading: String,
    message: String,
    ok: bool,
    return_url: Option<String>,
}

#[derive(Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    choice: String,
}

pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let session = match state.oauth.open_connect_session(&token).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    let app_name = app_name(&state, &session).await?;
    let connector = state.catalog.get(&session.connector).ok_or_else(PageError::not_found)?;
    let set_up = state.store.app_user_connector(session.app_id, &session.connector).await?;
    let scopes = set_up.map(|s| s.scopes()).transpose()?.unwrap_or_default();
    let (mut can_read, mut can_write) = (Vec::new(), Vec::new());
    for p in scopes.iter().filter_map(|s| connector.permission(s)) {
        let list = if p.access == crate::catalog::Access::Write { &mut can_write } else { &mut can_read };
        list.push(p.label.clone());
    }
    let existing = state.store.app_user_connection(session.app_id, &session.connector, &session.user_ref).await?;
    let page = SessionPage {
        layout: Layout::new(format!("Connect {}", connector.name), None),
        app_name,
        connector_name: connector.name.clone(),
        can_read,
        can_write,
        connected_as: existing.filter(|c| c.sealed_tokens.is_some()).and_then(|c| c.account),
        token,
        return_url: session.return_url,
    };
    render(StatusCode::OK, &page)
}

pub async fn choose(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<SessionForm>,
) -> Result<Response, PageError> {
    if form.choice == "disconnect" {
        return disconnect(&state, &token).await;
    }
    let (url, browser) = match state.oauth.begin_app_user(&token).await {
        Ok(started) => started,
        Err(e) => return refused(e),
    };
    let cookie = Cookie::build((BROWSER_COOKIE, browser))
        .path("/oauth/callback")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(time::Duration::minutes(10))
        .build();
    Ok((jar.add(cookie), Redirect::to(&url)).into_response())
}

/// The person ends their own connection: revoked at the provider where it can be, and
/// deleted. The link is used up like a sign-in would use it.
async fn disconnect(state: &AppState, token: &str) -> Result<Response, PageError> {
    let session = match state.oauth.open_connect_session(token).await {
        Ok(s) => s,
        Err(e) => return refused(e),
    };
    if !state.store.spend_connect_session(&hash(token)).await? {
        return refused(AppUserError::Spent { session: Box::new(session) });
    }
    let name = state.catalog.get(&session.connector).map_or(session.connector.clone(), |c| c.name.clone());
    let row = state.store.app_user_connection(session.app_id, &session.connector, &session.user_ref).await?;
    let mut message = format!("Your {name} account is no longer connected to {}.", app_name(state, &session).await?);
    if let Some(row) = row {
        if let Some(warning) = state.connections.remove(&row).await? {
            message.push_str(&format!(" {name} did not confirm the revocation ({warning}); you can also remove the access in your {name} account settings."));
        }
        state
            .store
            .audit(
                Some(session.app_id),
                None,
                "app_user.disconnected",
                Some(&session.connector),
                row.account.as_deref(),
                None,
            )
            .await?;
    }
    done(StatusCode::OK, "Disconnected", &message, true, session.return_url)
}

/// The provider sent an app user back.
pub async fn finished(state: &AppState, jar: &CookieJar, q: CallbackQuery) -> Result<Response, PageError> {
    let browser = jar.get(BROWSER_COOKIE).map(|c| c.value().to_owned());
    let Finished { session, result } = match state.oauth.complete_app_user(q, browser.as_deref()).await {
        Ok(f) => f,
        Err(e) => return refused(e),
    };
    let name = state.catalog.get(&session.connector).map_or(session.connector.clone(), |c| c.name.clone());
    let app_name = app_name(state, &session).await?;
    let account = match result {
        Ok(account) => account,
        Err(reason) => {
            return done(StatusCode::BAD_REQUEST, "Nothing was connected", &reason, false, session.return_url);
        }
    };
    state
        .store
        .audit(Some(session.app_id), None, "app_user.connected", Some(&session.connector), Some(&account), None)
        .await?;
    let data = serde_json::json!({"connector": session.connector, "account": account, "user_ref": session.user_ref});
    crate::runner::webhooks::emit(&state.store, session.app_id, "app_user.connected", data).await?;
    if let Some(back) = &session.return_url {
        return Ok(Redirect::to(&with_outcome(back, &session.connector)).into_response());
    }
    let message = format!("{app_name} can now use your {name} account ({account}). You can close this page.");
    done(StatusCode::OK, &format!("Connected {name}"), &message, true, None)
}

/// The host learns which connector finished, without any secret in the address.
fn with_outcome(back: &str, connector: &str) -> String {
    match url::Url::parse(back) {
        Ok(mut u) => {
            u.query_pairs_mut().append_pair("connected", connector);
            u.to_string()
        }
        Err(_) => back.to_owned(),
    }
}

async fn app_name(state: &AppState, session: &ConnectSessionRow) -> Result<String, PageError> {
    Ok(state.store.app(session.app_id).await?.map_or_else(|| "The app".to_owned(), |a| a.name))
}

fn refused(e: AppUserError) -> Result<Response, PageError> {
    let back = match &e {
        AppUserError::Spent { session } => session.return_url.clone(),
        _ => None,
    };
    match e {
        AppUserError::Store(s) => Err(s.into()),
        AppUserError::UnknownLink => done(StatusCode::NOT_FOUND, "Link not valid", &e.to_string(), false, None),
        AppUserError::Spent { .. } | AppUserError::OtherBrowser => {
            done(StatusCode::GONE, "Link no longer valid", &e.to_string(), false, back)
        }
        other => {
            tracing::warn!(error = %other, "an app user could not connect");
            done(StatusCode::BAD_REQUEST, "Nothing was connected", &other.to_string(), false, back)
        }
    }
}

fn done(
    status: StatusCode,
    heading: &str,
    message: &str,
    ok: bool,
    back: Option<String>,
) -> Result<Response, PageError> {
    let page = DonePage {
        layout: Layout::new(heading, None),
        heading: heading.to_owned(),
        message: message.to_owned(),
        ok,
        return_url: back,
    };
    render(status, &page)
}
