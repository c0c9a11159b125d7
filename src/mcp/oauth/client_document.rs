//! Client ID metadata documents, the way the 2025-11-25 specification prefers clients to
//! register: the client's id is an HTTPS URL, and the document there names the client and
//! its redirect URIs. patchbay reads it when a person is sent to authorize, under the
//! custom APIs' host rules (public addresses only, no redirects followed), within a few
//! seconds and a few kilobytes. It keeps what it read as a registered client, so codes
//! and grants name the client like any other.

use super::register::acceptable_redirect;
use crate::custom::{allows_local, host};
use crate::http::AppState;
use crate::store::McpClientRow;
use serde::Deserialize;
use std::time::Duration;

/// The specification's suggested limit for a client's document.
const MAX_BYTES: usize = 5 * 1024;
const MAX_REDIRECTS: usize = 10;

#[derive(Deserialize)]
struct Document {
    client_id: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
}

/// A client id that is a URL: read its document instead of looking it up.
pub fn names_a_document(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// The client its document describes, stored; a message for the person when it cannot be.
pub async fn load(state: &AppState, client_id: &str) -> Result<McpClientRow, String> {
    let document = read(state, client_id).await?;
    if document.client_id != client_id {
        return Err(refusal(client_id, "names another client id than its own address"));
    }
    if document.token_endpoint_auth_method.as_deref().is_some_and(|m| m != "none") {
        return Err(refusal(client_id, "asks for a client authentication patchbay does not offer"));
    }
    let uris = document.redirect_uris;
    if uris.is_empty() || uris.len() > MAX_REDIRECTS || !uris.iter().all(|u| acceptable_redirect(u)) {
        return Err(refusal(client_id, "needs 1 to 10 redirect addresses, each HTTPS or this machine's loopback"));
    }
    let name = document.client_name.map(|n| n.trim().chars().take(100).collect::<String>());
    let name = name.filter(|n| !n.is_empty() && !n.chars().any(char::is_control));
    let name = name.unwrap_or_else(|| host_of(client_id));
    let listed = serde_json::to_string(&uris).unwrap_or_default();
    let stored = state.store.upsert_mcp_client(client_id, &name, &listed).await;
    stored.map_err(|e| {
        tracing::error!(error = %e, "could not keep a client's metadata document");
        "patchbay could not check this request; try again.".to_owned()
    })
}

async fn read(state: &AppState, client_id: &str) -> Result<Document, String> {
    let url = url::Url::parse(client_id).map_err(|_| refusal(client_id, "is not a web address"))?;
    if url.path() == "/" || url.fragment().is_some() {
        return Err(refusal(client_id, "must be a document's address, with a path and no fragment"));
    }
    let local = allows_local(&state.settings);
    if url.scheme() != "https" && !local {
        return Err(refusal(client_id, "does not start with https://"));
    }
    let checked = host::check(url.origin().ascii_serialization().as_str(), local).await;
    checked.map_err(|e| {
        let why = match e {
            host::HostError::Internal(_) => "is not a public address",
            host::HostError::Unknown(_) => "has a host patchbay cannot find",
            _ => "is not a plain https:// address",
        };
        refusal(client_id, why)
    })?;
    let Some(http) = host::http(local) else { return Err(refusal(client_id, "cannot be read now")) };
    let fetched = http.client().get(url).header("accept", "application/json").timeout(Duration::from_secs(5)).send();
    let mut response = fetched.await.map_err(|_| refusal(client_id, "did not answer"))?;
    if !response.status().is_success() {
        return Err(refusal(client_id, &format!("answered {}", response.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| refusal(client_id, "did not answer in full"))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(refusal(client_id, "is larger than 5 KB"));
        }
    }
    serde_json::from_slice(&body).map_err(|_| refusal(client_id, "is not a client metadata document"))
}

fn host_of(client_id: &str) -> String {
    url::Url::parse(client_id).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_else(|| client_id.into())
}

fn refusal(client_id: &str, why: &str) -> String {
    format!("The agent's app describes itself at {client_id}, but that address {why}. Nothing was sent to it.")
}
