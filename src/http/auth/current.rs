//! Who is asking: the signed-in person (pages without one redirect to sign-in), and an
//! owner's access to one app.

use super::cookies::session_token;
use crate::http::AppState;
use crate::http::pages::{Access, PageError};
use crate::identity::sessions;
use crate::store::{SessionMember, UserRow};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

/// The signed-in person.
pub struct CurrentUser(pub UserRow);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(token) = session_token(&jar) {
            match sessions::user(&state.store, &token).await {
                Ok(Some(user)) => return Ok(CurrentUser(user)),
                Ok(None) => {}
                Err(e) => return Err(PageError::internal(e).into_response()),
            }
        }
        Err(to_sign_in(parts))
    }
}

/// Signing in first, then back to the page asked for.
fn to_sign_in(parts: &Parts) -> Response {
    let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
}

/// The signed-in person's place in the app named by the route's `{app_id}`, read with
/// the session in one query. Anyone not part of the app gets a 404 (as `Access::load`).
pub struct Member(pub Access);

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let Some(app_id) = params.iter().find(|(k, _)| *k == "app_id").and_then(|(_, v)| v.parse::<i64>().ok()) else {
            // Not an app: signing in still comes first.
            CurrentUser::from_request_parts(parts, state).await?;
            return Err(PageError::not_found().into_response());
        };
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = session_token(&jar) else { return Err(to_sign_in(parts)) };
        match sessions::member(&state.store, &token, app_id).await {
            Ok(Some(SessionMember { user, app: Some(app), role: Some(role), revision })) => {
                Ok(Member(Access::of(app, role, user).at_revision(revision)))
            }
            Ok(Some(_)) => Err(PageError::not_found().into_response()),
            Ok(None) => Err(to_sign_in(parts)),
            Err(e) => Err(PageError::internal(e).into_response()),
        }
    }
}

/// An owner of the app named by the route's `{app_id}`; anyone else gets the page that
/// says so (or a 404 when they are not part of the app at all).
pub struct Owner(pub Access);

impl FromRequestParts<AppState> for Owner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Member(access) = Member::from_request_parts(parts, state).await?;
        if access.role != crate::app::Role::Owner {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "Owners only",
                "Only an owner of this app can change its settings, people and keys.",
            )
            .into_response());
        }
        Ok(Owner(access))
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only a path on this site may follow a sign-in. Checked after parsing, as a browser
/// would read it: tabs and newlines are dropped by URL parsers, so "/\t/evil.example"
/// is "//evil.example", another host.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(raw) = next else { return "/".into() };
    if raw.chars().any(char::is_control) || !raw.starts_with('/') {
        return "/".into();
    }
    let Ok(base) = url::Url::parse("http://patchbay.invalid/") else { return "/".into() };
    match base.join(raw) {
        Ok(u) if u.origin() == base.origin() && !raw.starts_with("//") && !raw.contains('\\') => {
            let mut path = u.path().to_owned();
            if let Some(q) = u.query() {
                path.push('?');
                path.push_str(q);
            }
            path
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_may_follow_a_sign_in() {
        assert_eq!(safe_next(Some("/apps/1/chat?x=1")), "/apps/1/chat?x=1");
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\n/evil.example",
            "evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
