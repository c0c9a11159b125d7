//! An authorization request from an agent's client, checked before a person sees it and
//! again when they answer: a registered client and its exact redirect URI (else nothing
//! is sent back to an address no one vouched for), `code`, PKCE with S256, and a
//! `resource` naming one app's MCP server here (RFC 8707).

use super::{app_of_resource, client_document};
use crate::digest::{random_token, sha256_hex};
use crate::http::AppState;
use crate::store::{McpClientRow, NewMcpCode, StoreError, now};
use serde::Deserialize;

/// A code is exchanged within a minute or two; five is generous.
const CODE_SECS: i64 = 300;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    #[serde(default)]
    pub response_type: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub redirect_uri: String,
    #[serde(default)]
    pub code_challenge: String,
    #[serde(default)]
    pub code_challenge_method: String,
    pub state: Option<String>,
    pub resource: Option<String>,
    pub scope: Option<String>,
}

/// A request worth showing to a person.
pub struct Checked {
    pub client: McpClientRow,
    pub app_id: i64,
    pub params: AuthorizeParams,
}

pub enum Refused {
    /// The client or its redirect cannot be trusted: tell the person, send nothing back.
    Here(String),
    /// Tell the client, at its redirect URI.
    Back { redirect: String },
}

pub async fn check(state: &AppState, params: AuthorizeParams) -> Result<Checked, Refused> {
    let client = if client_document::names_a_document(&params.client_id) {
        Some(client_document::load(state, &params.client_id).await.map_err(Refused::Here)?)
    } else {
        state.store.mcp_client(&params.client_id).await.map_err(|e| Refused::Here(store_failed(e)))?
    };
    let Some(client) = client else {
        return Err(Refused::Here("This agent is not registered with patchbay: ask it to sign in again.".into()));
    };
    if !client.redirects_to(&params.redirect_uri) {
        return Err(Refused::Here(format!(
            "{} asked to be sent to an address it did not register. Nothing was sent to it.",
            client.name
        )));
    }
    let back = |error: &str, description: &str| Refused::Back { redirect: error_redirect(&params, error, description) };
    if params.response_type != "code" {
        return Err(back("unsupported_response_type", "response_type must be code"));
    }
    if params.code_challenge_method != "S256" || params.code_challenge.len() != 43 {
        return Err(back("invalid_request", "PKCE is required: code_challenge with code_challenge_method S256"));
    }
    let base = state.settings.public_url();
    let Some(app_id) = params.resource.as_deref().and_then(|r| app_of_resource(&base, r)) else {
        let description = format!("resource must be one app's MCP server here, such as {base}/mcp/apps/1");
        return Err(back("invalid_target", &description));
    };
    Ok(Checked { client, app_id, params })
}

/// After a person allowed it: a code for the client, at its redirect URI.
pub async fn allowed(state: &AppState, checked: &Checked, user_id: i64) -> Result<String, StoreError> {
    let store = &state.store;
    let grant_id = store.mcp_grant_for(&checked.client.client_id, checked.app_id, user_id).await?;
    let code = random_token();
    let params = &checked.params;
    let issued = NewMcpCode {
        code_hash: &sha256_hex(&code),
        grant_id,
        redirect_uri: &params.redirect_uri,
        code_challenge: &params.code_challenge,
        expires_at: now() + CODE_SECS,
    };
    store.insert_mcp_code(issued).await?;
    Ok(redirect(params, &[("code", &code), ("iss", &state.settings.public_url())]))
}

/// After a person said no.
pub fn denied(checked: &Checked) -> String {
    error_redirect(&checked.params, "access_denied", "a person who builds the app said no")
}

fn error_redirect(params: &AuthorizeParams, error: &str, description: &str) -> String {
    redirect(params, &[("error", error), ("error_description", description)])
}

/// The client's redirect URI with these parameters and its `state`.
fn redirect(params: &AuthorizeParams, pairs: &[(&str, &str)]) -> String {
    let Ok(mut url) = url::Url::parse(&params.redirect_uri) else { return params.redirect_uri.clone() };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        if let Some(state) = &params.state {
            query.append_pair("state", state);
        }
    }
    url.into()
}

fn store_failed(e: StoreError) -> String {
    tracing::error!(error = %e, "could not look up an MCP client");
    "patchbay could not check this request; try again.".into()
}
