//! Single sign-on's two steps in the browser: off to the provider, and back.

use super::current::safe_next;
use super::login::start_session;
use crate::digest::sha256_hex;
use crate::http::AppState;
use crate::http::pages::PageError;
use crate::identity::sso::{self, Sso, SsoError};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

fn sso(state: &AppState) -> Result<Sso<'_>, PageError> {
    let settings = state.settings.auth.oidc.as_ref().ok_or_else(PageError::not_found)?;
    Ok(Sso {
        settings,
        http: &state.oauth.http,
        store: &state.store,
        cipher: &state.cipher,
        redirect_uri: format!("{}/login/sso/callback", state.settings.public_url()),
    })
}

#[derive(Deserialize)]
pub struct Begin {
    next: Option<String>,
    /// The invitation link's token, when signing in accepts an invitation.
    invitation: Option<String>,
}

pub async fn begin(State(state): State<AppState>, Query(q): Query<Begin>) -> Result<Response, PageError> {
    let next = safe_next(q.next.as_deref());
    let url = sso(&state)?.begin(&next, q.invitation.as_deref().map(sha256_hex)).await.map_err(page_error)?;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    #[serde(default)]
    state: String,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Callback>,
) -> Result<Response, PageError> {
    let done = sso(&state)?.complete(q.code.as_deref(), &q.state, q.error.as_deref()).await.map_err(page_error)?;
    let user = sso::account_for(&state.store, &done.identity, done.invitation.as_deref())
        .await
        .map_err(|e| PageError::new(StatusCode::FORBIDDEN, "Cannot sign you in", &e.to_string()))?;
    start_session(&state, jar, user.id, &done.next).await
}

fn page_error(e: SsoError) -> PageError {
    match e {
        SsoError::Store(e) => PageError::internal(e),
        SsoError::Provider(detail) => {
            tracing::warn!(%detail, "single sign-on provider failed");
            PageError::new(
                StatusCode::BAD_GATEWAY,
                "Sign-in provider unavailable",
                "The single sign-on provider could not be reached. Try again, or sign in with your password.",
            )
        }
        other => {
            tracing::warn!(error = %other, "single sign-on refused");
            PageError::new(
                StatusCode::FORBIDDEN,
                "Cannot sign you in",
                &format!("{}.", crate::http::pages::capitalised(&other.to_string())),
            )
        }
    }
}
