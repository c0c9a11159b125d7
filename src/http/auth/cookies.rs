//! The cookies patchbay sets: the session (signed in) and the pre-session secret that
//! sign-in forms derive their CSRF token from. Both HttpOnly, SameSite=Lax, and Secure
//! when patchbay is reached over https.

use crate::http::AppState;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

pub const SESSION_COOKIE: &str = "pb_session";
pub const PRE_COOKIE: &str = "pb_pre";

pub fn with_session(state: &AppState, jar: CookieJar, token: String, max_age_secs: i64) -> CookieJar {
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(time_secs(max_age_secs))
        .build();
    jar.add(cookie)
}

pub fn without_session(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
}

/// The pre-session secret's cookie, as a header value.
pub fn pre_session(state: &AppState, secret: &str) -> axum::http::HeaderValue {
    let cookie = Cookie::build((PRE_COOKIE, secret.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .build();
    axum::http::HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}

pub fn session_token(jar: &CookieJar) -> Option<String> {
    jar.get(SESSION_COOKIE).map(|c| c.value().to_owned())
}

fn time_secs(secs: i64) -> time::Duration {
    time::Duration::seconds(secs)
}
