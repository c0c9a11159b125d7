//! The token endpoint (`POST /mcp/oauth/token`, form-encoded): an authorization code with
//! its PKCE verifier, or a refresh token, for new tokens.

use super::app_of_resource;
use super::tokens::{self, no_store, oauth_error, verifier_matches};
use crate::digest::sha256_hex;
use crate::http::AppState;
use crate::store::{RefreshUse, StoreError};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    client_id: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    resource: Option<String>,
}

pub async fn token(State(state): State<AppState>, form: Result<axum::Form<TokenForm>, FormRejection>) -> Response {
    let Ok(axum::Form(form)) = form else {
        return invalid_request("send the request as application/x-www-form-urlencoded");
    };
    let answer = match form.grant_type.as_str() {
        "authorization_code" => by_code(&state, &form).await,
        "refresh_token" => by_refresh(&state, &form).await,
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "authorization_code or refresh_token",
            );
        }
    };
    match answer {
        Ok(Ok(tokens)) => no_store(Json(tokens).into_response()),
        Ok(Err(refusal)) => refusal,
        Err(e) => {
            tracing::error!(error = %e, "the MCP token endpoint could not read the store");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "try again")
        }
    }
}

type Answer = Result<Result<serde_json::Value, Response>, StoreError>;

async fn by_code(state: &AppState, form: &TokenForm) -> Answer {
    let (Some(code), Some(verifier), Some(redirect_uri)) = (&form.code, &form.code_verifier, &form.redirect_uri) else {
        return Ok(Err(invalid_request("code, code_verifier and redirect_uri are required")));
    };
    let store = &state.store;
    if store.mcp_client(&form.client_id).await?.is_none() {
        return Ok(Err(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "no such client")));
    }
    // Spent now whatever follows: a code that failed once is not tried again.
    let Some(issued) = store.take_mcp_code(&sha256_hex(code)).await? else {
        return Ok(Err(invalid_grant("the code is unknown, used or expired")));
    };
    let grant = store.mcp_grant(issued.grant_id).await?;
    let Some(grant) = grant.filter(|g| g.client_id == form.client_id) else {
        return Ok(Err(invalid_grant("the code was issued to another client")));
    };
    if &issued.redirect_uri != redirect_uri {
        return Ok(Err(invalid_grant("redirect_uri differs from the authorization request's")));
    }
    if !verifier_matches(verifier, &issued.code_challenge) {
        return Ok(Err(invalid_grant("code_verifier does not match the code_challenge")));
    }
    if let Some(refused) = other_resource(state, form, grant.app_id) {
        return Ok(Err(refused));
    }
    Ok(Ok(tokens::issue(store, grant.id).await?))
}

async fn by_refresh(state: &AppState, form: &TokenForm) -> Answer {
    let Some(refresh) = &form.refresh_token else { return Ok(Err(invalid_request("refresh_token is required"))) };
    let store = &state.store;
    let grant_id = match store.use_mcp_refresh(&sha256_hex(refresh), &form.client_id).await? {
        RefreshUse::Fresh(grant_id) => grant_id,
        RefreshUse::Replayed => {
            tracing::warn!(client = %form.client_id, "a used MCP refresh token came back: its grant is revoked");
            return Ok(Err(invalid_grant("the refresh token was used before; sign in again")));
        }
        RefreshUse::Unknown => return Ok(Err(invalid_grant("the refresh token is unknown, revoked or expired"))),
    };
    let Some(grant) = store.mcp_grant(grant_id).await? else {
        return Ok(Err(invalid_grant("the grant was revoked")));
    };
    if let Some(refused) = other_resource(state, form, grant.app_id) {
        return Ok(Err(refused));
    }
    Ok(Ok(tokens::issue(store, grant.id).await?))
}

/// A `resource` (RFC 8707), when sent, must be the server the grant is for.
fn other_resource(state: &AppState, form: &TokenForm, app_id: i64) -> Option<Response> {
    let asked = form.resource.as_deref()?;
    let base = state.settings.public_url();
    (app_of_resource(&base, asked) != Some(app_id))
        .then(|| oauth_error(StatusCode::BAD_REQUEST, "invalid_target", "this grant is for another MCP server"))
}

fn invalid_request(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}
