//! Sign-in pages: password, single sign-on, the first-owner setup, invitations, and a
//! person's own account. The domain work is in `identity/`; these only parse and render.

mod account;
pub mod cookies;
pub mod current;
mod invite;
mod login;
mod setup;
mod sso;

pub use current::{CurrentUser, Member, Owner};

use crate::http::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router(settings: &crate::config::Settings) -> Router<AppState> {
    let mut r = Router::new()
        .route("/login", get(login::page).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .route("/logout/everywhere", post(login::sign_out_everywhere))
        .route("/setup", get(setup::page).post(setup::create))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/invitations/{token}", get(invite::page))
        .route("/invitations/{token}/accept", post(invite::accept))
        .route("/invitations/{token}/join", post(invite::join))
        .route("/login/sso", get(sso::begin))
        .route("/login/sso/callback", get(sso::callback));
    // Production does not even have the route.
    if settings.development_sign_in() {
        r = r.route("/login/dev", post(login::dev_sign_in));
    }
    r
}
