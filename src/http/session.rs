//! Sign-in: a development login that picks one of the seeded users. The session cookie
//! holds a random token; the database holds only its SHA-256, so a leaked database does
//! not sign anyone in. Every role check happens on the server, per request.

use super::AppState;
use super::pages::{Layout, PageError, render};
use crate::digest::{random_token, sha256_hex as hash};
use crate::store::{UserRow, now};
use askama::Template;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

pub const COOKIE: &str = "pb_session";
const SESSION_DAYS: i64 = 30;

/// The signed-in user; pages without one redirect to the sign-in page.
pub struct CurrentUser(pub UserRow);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(cookie) = jar.get(COOKIE) {
            match state.store.session_user(&hash(cookie.value()), now()).await {
                Ok(Some(user)) => return Ok(CurrentUser(user)),
                Ok(None) => {}
                Err(e) => return Err(PageError::internal(e).into_response()),
            }
        }
        let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        Err(Redirect::to(&format!("/login?next={}", urlencode(next))).into_response())
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only local paths may follow a sign-in, so the login page cannot send people away.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".into(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    users: Vec<LoginUser>,
    next: String,
}

struct LoginUser {
    id: i64,
    name: String,
    email: String,
    roles: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Result<Response, PageError> {
    let mut users = Vec::new();
    for u in state.store.list_users().await? {
        let apps = state.store.apps_of_user(u.id).await?;
        let roles = apps.iter().map(|(a, r)| format!("{} of {}", r.label(), a.name)).collect::<Vec<_>>().join(", ");
        users.push(LoginUser { id: u.id, name: u.name, email: u.email, roles });
    }
    render(
        StatusCode::OK,
        &LoginPage { layout: Layout::new("Sign in", None), users, next: safe_next(q.next.as_deref()) },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    user_id: i64,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let Some(user) = state.store.user(form.user_id).await? else {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Unknown user",
            "That user does not exist. Pick one from the list.",
        ));
    };
    let token = random_token();
    state.store.create_session(&hash(&token), user.id, now() + SESSION_DAYS * 86_400).await?;
    let secure = state.settings.public_url().starts_with("https://");
    let cookie =
        Cookie::build((COOKIE, token)).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build();
    Ok((jar.add(cookie), Redirect::to(&safe_next(form.next.as_deref()))).into_response())
}

pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    if let Some(cookie) = jar.get(COOKIE) {
        state.store.delete_session(&hash(cookie.value())).await?;
    }
    Ok((jar.remove(Cookie::build(COOKIE).path("/")), Redirect::to("/login")).into_response())
}

/// Refuses state-changing requests sent from another site: with SameSite=Lax cookies this
/// closes cross-site form posts even in browsers that send cookies more freely.
pub async fn same_origin_posts(headers: HeaderMap, req: Request<axum::body::Body>, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("");
        let origin = headers.get("origin").and_then(|h| h.to_str().ok());
        let cross = origin.is_some_and(|o| {
            o != "null"
                && url::Url::parse(o)
                    .ok()
                    .and_then(|u| {
                        u.host_str().map(|h| match u.port() {
                            Some(p) => format!("{h}:{p}"),
                            None => h.to_owned(),
                        })
                    })
                    .as_deref()
                    != Some(host)
        });
        if cross {
            return PageError::new(StatusCode::FORBIDDEN, "Request refused", "This form was sent from another site.")
                .into_response();
        }
    }
    next.run(req).await
}
