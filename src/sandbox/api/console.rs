//! The sandbox's "developer console" for a credential connector: where the real provider
//! shows a key in its settings, the sandbox lists the test values it accepts, so that a
//! builder in development can connect without an account anywhere.

use crate::http::AppState;
use crate::http::pages::{PageError, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "sandbox/console.html")]
struct ConsolePage {
    name: String,
    /// (label, test value); empty for an optional field the sandbox does not need.
    fields: Vec<(String, String)>,
}

pub async fn page(State(state): State<AppState>, Path(connector): Path<String>) -> Result<Response, PageError> {
    let connector = state.catalog.get(&connector).filter(|c| c.auth.kind.typed()).ok_or_else(PageError::not_found)?;
    let fields =
        connector.auth.credentials.iter().map(|c| (c.label.clone(), c.sandbox.clone().unwrap_or_default())).collect();
    render(StatusCode::OK, &ConsolePage { name: connector.name.clone(), fields })
}
