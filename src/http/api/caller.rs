//! Who calls the App API: the host's backend with an app key (`Authorization: Bearer
//! pbk_…`), or, for reading only, an owner or editor signed in to the pages. A missing or
//! revoked key is a 401; a key of another app gets a 404, as if the app did not exist.
//! Every use of a key is audited (which key, what it asked; never the key).

use crate::http::auth::cookies::session_token;
use crate::http::{AppError, AppState};
use crate::identity::{keys, sessions};
use crate::store::{AppKeyRow, AppRow};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum_extra::extract::CookieJar;

pub enum Who {
    Key(AppKeyRow),
    /// An owner or editor signed in to the pages (read-only routes).
    Person,
}

/// A caller allowed into the app named by the route's `{app_id}`.
pub struct AppCaller {
    pub app: AppRow,
    pub who: Who,
}

impl AppCaller {
    pub fn key(&self) -> Option<&AppKeyRow> {
        match &self.who {
            Who::Key(k) => Some(k),
            Who::Person => None,
        }
    }
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// In production every API route needs a valid key; in development the router's own
/// route stays open for trying things out.
pub async fn key_in_production(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    if !state.settings.is_production() {
        return Ok(());
    }
    let presented = bearer(headers).ok_or_else(unauthorized)?;
    let key = keys::authenticate(&state.store, presented).await?.ok_or_else(unauthorized)?;
    state.store.audit_key_use(key.app_id, key.id, "api.call", Some("POST /api/v1/route")).await?;
    Ok(())
}

impl FromRequestParts<AppState> for AppCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| not_found())?;
        let app_id = params
            .iter()
            .find(|(k, _)| *k == "app_id")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .ok_or_else(not_found)?;
        let who = match bearer(&parts.headers) {
            Some(presented) => {
                let key = keys::authenticate(&state.store, presented).await?.ok_or_else(unauthorized)?;
                if key.app_id != app_id {
                    return Err(not_found());
                }
                let what = format!("{} {}", parts.method, parts.uri.path());
                state.store.audit_key_use(app_id, key.id, "api.call", Some(&what)).await?;
                Who::Key(key)
            }
            None if parts.method == Method::GET => person(parts, state, app_id).await?,
            None => return Err(unauthorized()),
        };
        let app = state.store.app(app_id).await?.ok_or_else(not_found)?;
        Ok(Self { app, who })
    }
}

/// An owner or editor signed in to the pages, for the read-only routes.
async fn person(parts: &Parts, state: &AppState, app_id: i64) -> Result<Who, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    let token = session_token(&jar).ok_or_else(unauthorized)?;
    let user = sessions::user(&state.store, &token).await?.ok_or_else(unauthorized)?;
    let role = state.store.role_of(app_id, user.id).await?.ok_or_else(not_found)?;
    if !role.can_build() {
        return Err(AppError::Forbidden("only the app's owners and editors can read this".into()));
    }
    Ok(Who::Person)
}

pub fn unauthorized() -> AppError {
    AppError::Unauthorized
}

fn not_found() -> AppError {
    AppError::NotFound("no such app".into())
}
