//! A person's own account: change the password (which ends their other sessions) and
//! sign out everywhere.

use super::cookies::session_token;
use super::current::CurrentUser;
use crate::http::AppState;
use crate::http::pages::{Layout, PageError, render};
use crate::identity::{IdentityError, sessions, sign_in};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    layout: Layout,
    has_password: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    user: crate::store::UserRow,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let has_password = state.store.password_hash(user.id).await?.is_some();
    render(status, &AccountPage { layout: Layout::new("Your account", Some(user)), has_password, notice, error })
}

pub async fn page(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> Result<Response, PageError> {
    show(&state, user, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    jar: CookieJar,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    match sign_in::change_password(&state.store, user.id, &form.current, &form.new).await {
        Ok(()) => {
            let ended = sessions::end_all(&state.store, user.id, session_token(&jar).as_deref()).await?;
            state.store.audit(None, Some(user.id), "user.password_changed", None, None, None).await?;
            let notice = match ended {
                0 => "Your password was changed.".to_owned(),
                n => format!("Your password was changed, and {n} other session(s) were signed out."),
            };
            show(&state, user, StatusCode::OK, Some(notice), None).await
        }
        Err(IdentityError::Invalid(message)) => {
            show(&state, user, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)).await
        }
        Err(e) => Err(PageError::internal(e)),
    }
}
