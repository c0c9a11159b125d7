//! `/setup`: makes the first owner, and exists only while nobody has an account. It asks
//! for the one-time code printed in the server's log.

use super::login::start_session;
use crate::http::AppState;
use crate::http::pages::{Layout, PageError, render};
use crate::identity::IdentityError;
use crate::identity::setup::{self, FirstOwner};
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    layout: Layout,
    email: String,
    name: String,
    error: Option<String>,
}

pub async fn page(State(state): State<AppState>) -> Result<Response, PageError> {
    ensure_open(&state).await?;
    render(
        StatusCode::OK,
        &SetupPage {
            layout: Layout::new("Set up patchbay", None),
            email: String::new(),
            name: String::new(),
            error: None,
        },
    )
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<SetupForm>,
) -> Result<Response, PageError> {
    ensure_open(&state).await?;
    let first = FirstOwner { code: &form.code, email: &form.email, name: &form.name, password: &form.password };
    match setup::create_owner(&state.store, first).await {
        Ok(user) => {
            tracing::info!(email = %user.email, "the first owner was set up");
            state.store.audit(None, Some(user.id), "user.created_first_owner", None, Some(&user.email), None).await?;
            start_session(&state, jar, user.id, "/").await
        }
        Err(IdentityError::LinkUsed) => Err(PageError::not_found()),
        Err(IdentityError::Invalid(message)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SetupPage {
                layout: Layout::new("Set up patchbay", None),
                email: form.email,
                name: form.name,
                error: Some(message),
            },
        ),
        Err(e) => Err(PageError::internal(e)),
    }
}

/// Once anyone exists, `/setup` is simply not there.
async fn ensure_open(state: &AppState) -> Result<(), PageError> {
    if setup::is_open(&state.store).await.map_err(PageError::internal)? { Ok(()) } else { Err(PageError::not_found()) }
}
