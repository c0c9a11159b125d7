//! Dynamic client registration (RFC 7591) for agents' clients. Clients are public (no
//! secret: PKCE protects their codes). A redirect URI must be HTTPS, or plain HTTP to this
//! machine's loopback (desktop clients), and must be used exactly as registered.

use super::{SCOPE, tokens::oauth_error};
use crate::digest::random_token;
use crate::http::AppState;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

const MAX_REDIRECTS: usize = 10;
const MAX_NAME_CHARS: usize = 100;

#[derive(Deserialize)]
pub struct Registration {
    #[serde(default)]
    redirect_uris: Vec<String>,
    client_name: Option<String>,
    token_endpoint_auth_method: Option<String>,
}

pub async fn register(State(state): State<AppState>, body: Result<Json<Registration>, JsonRejection>) -> Response {
    let Ok(Json(registration)) = body else {
        return metadata_error("the body must be a JSON object with \"redirect_uris\"");
    };
    if registration.token_endpoint_auth_method.as_deref().is_some_and(|m| m != "none") {
        return metadata_error("only public clients register here: token_endpoint_auth_method must be \"none\"");
    }
    let uris = registration.redirect_uris;
    if uris.is_empty() || uris.len() > MAX_REDIRECTS {
        return redirect_error(&format!("give 1 to {MAX_REDIRECTS} redirect_uris"));
    }
    if let Some(bad) = uris.iter().find(|u| !acceptable_redirect(u)) {
        let message = format!("{bad} is not an HTTPS address or a loopback HTTP address without a fragment");
        return redirect_error(&message);
    }
    let name = registration.client_name.map(|n| n.trim().chars().take(MAX_NAME_CHARS).collect::<String>());
    let name = name.filter(|n| !n.is_empty() && !n.chars().any(char::is_control));
    let name = name.unwrap_or_else(|| "An MCP client".to_owned());
    let client_id = format!("mcp_{}", random_token());
    let listed = serde_json::to_string(&uris).unwrap_or_default();
    if let Err(e) = state.store.insert_mcp_client(&client_id, &name, &listed).await {
        return crate::http::AppError::from(e).into_response();
    }
    let answer = json!({
        "client_id": client_id,
        "client_id_issued_at": crate::store::now(),
        "client_name": name,
        "redirect_uris": uris,
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": SCOPE,
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

fn metadata_error(message: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_client_metadata", message)
}

fn redirect_error(message: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_redirect_uri", message)
}

/// HTTPS anywhere, or HTTP to loopback; never a fragment, never credentials in the URL.
pub fn acceptable_redirect(raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else { return false };
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => matches!(
            url.host(),
            Some(url::Host::Domain("localhost"))
                | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
                | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::acceptable_redirect;

    #[test]
    fn redirects_go_to_https_or_this_machine() {
        for good in
            ["https://agent.example/callback", "http://127.0.0.1:8976/cb", "http://localhost/cb", "http://[::1]:9/"]
        {
            assert!(acceptable_redirect(good), "{good}");
        }
        for bad in [
            "http://agent.example/callback",
            "https://agent.example/cb#frag",
            "https://user:pw@agent.example/cb",
            "javascript:alert(1)",
            "myapp://callback",
            "http://127.0.0.2.nip.io/cb",
            "not a url",
        ] {
            assert!(!acceptable_redirect(bad), "{bad}");
        }
    }
}
