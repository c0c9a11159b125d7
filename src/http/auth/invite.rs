//! An invitation link as its recipient meets it: join with the account they are signed in
//! with, create an account for the invited email, or sign in first.

use super::current::urlencode;
use super::login::start_session;
use crate::digest::sha256_hex;
use crate::http::AppState;
use crate::http::pages::{Layout, PageError, render};
use crate::identity::{IdentityError, invitations, sessions};
use crate::store::UserRow;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/invitation.html")]
struct InvitationPage {
    layout: Layout,
    token: String,
    app_name: String,
    role: &'static str,
    email: String,
    /// Signed in as the invited person.
    signed_in_as_invited: bool,
    /// Signed in as someone else (their email).
    signed_in_as_other: Option<String>,
    account_exists: bool,
    login_next: String,
    sso_label: Option<String>,
    error: Option<String>,
}

async fn signed_in(state: &AppState, jar: &CookieJar) -> Result<Option<UserRow>, PageError> {
    match super::cookies::session_token(jar) {
        Some(token) => Ok(sessions::user(&state.store, &token).await?),
        None => Ok(None),
    }
}

pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    show(&state, &jar, &token, StatusCode::OK, None).await
}

async fn show(
    state: &AppState,
    jar: &CookieJar,
    token: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (invitation, app) = invitations::open(&state.store, token).await.map_err(expired)?;
    let user = signed_in(state, jar).await?;
    let same = user.as_ref().is_some_and(|u| u.email.eq_ignore_ascii_case(&invitation.email));
    let page = InvitationPage {
        layout: Layout::new(format!("Join {}", app.name), user.clone()),
        token: token.to_owned(),
        app_name: app.name,
        role: invitation.role().label(),
        signed_in_as_invited: same,
        signed_in_as_other: user.filter(|_| !same).map(|u| u.email),
        account_exists: state.store.user_by_email(&invitation.email).await?.is_some(),
        login_next: urlencode(&format!("/invitations/{token}")),
        sso_label: state.settings.auth.oidc.as_ref().map(|o| o.label.clone()),
        email: invitation.email,
        error,
    };
    render(status, &page)
}

pub async fn accept(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let Some(user) = signed_in(&state, &jar).await? else {
        return Ok(
            Redirect::to(&format!("/login?next={}", urlencode(&format!("/invitations/{token}")))).into_response()
        );
    };
    match invitations::accept(&state.store, &sha256_hex(&token), &user).await {
        Ok(taken) => Ok(Redirect::to(&format!("/apps/{}", taken.app_id)).into_response()),
        Err(IdentityError::Invalid(message)) => show(&state, &jar, &token, StatusCode::CONFLICT, Some(message)).await,
        Err(e) => Err(expired(e)),
    }
}

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Creates the invited person's account and signs them in.
pub async fn join(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response, PageError> {
    match invitations::accept_as_new(&state.store, &token, &form.name, &form.password).await {
        Ok((user, taken)) => start_session(&state, jar, user.id, &format!("/apps/{}", taken.app_id)).await,
        Err(IdentityError::Invalid(message)) => {
            show(&state, &jar, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await
        }
        Err(e) => Err(expired(e)),
    }
}

fn expired(e: IdentityError) -> PageError {
    match e {
        IdentityError::LinkUsed => PageError::new(StatusCode::GONE, "Invitation no longer valid", &e.to_string()),
        other => PageError::internal(other),
    }
}
