//! Signing in and out: email and password, single sign-on when configured, and in
//! development only, a door that picks a demo person.

use super::cookies::{self, session_token};
use super::current::{CurrentUser, safe_next, urlencode};
use crate::http::AppState;
use crate::http::guard::rate::ClientAddress;
use crate::http::pages::{Layout, PageError, render};
use crate::identity::sign_in::{self, Attempt};
use crate::identity::throttle::Limits;
use crate::identity::{IdentityError, sessions, setup};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    next_query: String,
    email: String,
    error: Option<String>,
    sso_label: Option<String>,
    setup_open: bool,
    demo_people: Vec<DemoPerson>,
}

struct DemoPerson {
    id: i64,
    name: String,
    email: String,
    roles: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn page(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    login_page(&state, StatusCode::OK, safe_next(q.next.as_deref()), String::new(), None).await
}

async fn login_page(
    state: &AppState,
    status: StatusCode,
    next: String,
    email: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let mut demo_people = Vec::new();
    if state.settings.development_sign_in() {
        for u in state.store.list_users().await? {
            let apps = state.store.apps_of_user(u.id).await?;
            let roles = apps.iter().map(|(a, r)| format!("{} of {}", r.label(), a.name)).collect::<Vec<_>>().join(", ");
            demo_people.push(DemoPerson { id: u.id, name: u.name, email: u.email, roles });
        }
    }
    let page = LoginPage {
        layout: Layout::new("Sign in", None),
        next_query: urlencode(&next),
        next,
        email,
        error,
        sso_label: state.settings.auth.oidc.as_ref().map(|o| o.label.clone()),
        setup_open: setup::is_open(&state.store).await.map_err(PageError::internal)?,
        demo_people,
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    let a = &state.settings.auth;
    let limits = Limits {
        per_account: a.failures_per_account,
        per_address: a.failures_per_address,
        window_secs: a.failure_window_secs,
    };
    let attempt = Attempt { email: &form.email, password: &form.password, address: &address.to_string() };
    match sign_in::with_password(&state.store, limits, attempt).await {
        Ok(user) => start_session(&state, jar, user.id, &next).await,
        Err(e @ IdentityError::Throttled { retry_after_secs }) => {
            let mut resp =
                login_page(&state, StatusCode::TOO_MANY_REQUESTS, next, form.email, Some(e.to_string())).await?;
            resp.headers_mut().insert("retry-after", HeaderValue::from(retry_after_secs));
            Ok(resp)
        }
        Err(e @ IdentityError::WrongCredentials) => {
            login_page(&state, StatusCode::UNAUTHORIZED, next, form.email, Some(e.to_string())).await
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

/// Starts a new session (ending the one this browser had) and goes on to `next`.
pub async fn start_session(state: &AppState, jar: CookieJar, user_id: i64, next: &str) -> Result<Response, PageError> {
    let ttl = state.settings.auth.session_ttl_hours * 3600;
    let session = sessions::start(&state.store, user_id, ttl, session_token(&jar).as_deref()).await?;
    state.store.audit(None, Some(user_id), "user.signed_in", None, None, None).await?;
    let jar = cookies::with_session(state, jar, session.token, ttl);
    Ok((jar, Redirect::to(next)).into_response())
}

#[derive(Deserialize)]
pub struct DevForm {
    user_id: i64,
    next: Option<String>,
}

/// Development only: sign in as a seeded person by picking them. The route is not even
/// mounted in production.
pub async fn dev_sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<DevForm>,
) -> Result<Response, PageError> {
    if !state.settings.development_sign_in() {
        return Err(PageError::not_found());
    }
    let Some(user) = state.store.user(form.user_id).await? else {
        return Err(PageError::new(StatusCode::BAD_REQUEST, "Unknown person", "Pick someone from the list."));
    };
    start_session(&state, jar, user.id, &safe_next(form.next.as_deref())).await
}

pub async fn sign_out(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    if let Some(token) = session_token(&jar) {
        sessions::end(&state.store, &token).await?;
    }
    Ok((cookies::without_session(jar), Redirect::to("/login")).into_response())
}

/// Ends every session of the signed-in person, this one included.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let ended = sessions::end_all(&state.store, user.id, None).await?;
    state
        .store
        .audit(None, Some(user.id), "user.signed_out_everywhere", None, None, Some(&format!("{ended} sessions")))
        .await?;
    Ok((cookies::without_session(jar), Redirect::to("/login")).into_response())
}
