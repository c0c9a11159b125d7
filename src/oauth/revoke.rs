//! Revoking a grant at the provider, in the request shape its catalog entry names
//! (`revocation_style`): an RFC 7009 form with the client in a Basic header or in the form,
//! a JSON body (Notion, QuickBooks), the token as the request's own Bearer credential
//! (Slack, Dropbox), the token in the query string (Zoom, Zoho), or GitHub's `DELETE` of the
//! grant. The connection's own records are deleted whatever the provider answers; this only
//! reports whether the provider confirmed, and an answer that is not a confirmation never
//! passes for one.

use super::http::{ProviderHttp, classify};
use super::provider::Provider;
use crate::catalog::RevocationStyle;
use crate::connections::TokenSet;
use reqwest::RequestBuilder;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RevokeError {
    #[error("{0} has no revocation endpoint; remove patchbay's access in your {0} account settings")]
    Unsupported(String),
    #[error(
        "{name} did not confirm the revocation ({detail}); remove patchbay's access in your {name} account settings"
    )]
    Failed { name: String, detail: String },
}

/// Revokes the grant behind these tokens. The refresh token is revoked when there is one
/// (RFC 7009 §2.1: that ends the whole grant), except where the revoked token must be the
/// request's Bearer credential, which only an access token can be.
pub async fn revoke(
    http: &ProviderHttp,
    p: &Provider,
    access_token: &str,
    refresh_token: Option<&str>,
) -> Result<(), RevokeError> {
    let unsupported = || RevokeError::Unsupported(p.name.clone());
    let url = p.revocation_url.as_deref().ok_or_else(unsupported)?;
    let (token, hint) = match refresh_token {
        Some(refresh) if !p.revocation_style.sends_access_token() => (refresh, "refresh_token"),
        _ => (access_token, "access_token"),
    };
    let request = shaped(http.client(), p, url, token, hint).ok_or_else(unsupported)?;
    let fail = |detail: String| RevokeError::Failed { name: p.name.clone(), detail };
    let request = p.revocation_headers.iter().fold(request, |req, (name, value)| req.header(name, value));
    let resp = request.send().await.map_err(|e| fail(classify(e).to_string()))?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or_default();
    match refusal(status, &body) {
        None => Ok(()),
        Some(detail) => Err(fail(detail)),
    }
}

/// Revokes the grant behind a connection's tokens, in its provider's style: OAuth 1.0a
/// token credentials are revoked by a signed `DELETE` of the token's URL, which needs the
/// token secret as well as the token.
pub async fn revoke_tokens(http: &ProviderHttp, p: &Provider, tokens: &TokenSet) -> Result<(), RevokeError> {
    if p.revocation_style != RevocationStyle::SignedDelete {
        return revoke(http, p, &tokens.access_token, tokens.refresh_token.as_deref()).await;
    }
    let template = p.revocation_url.as_deref().ok_or_else(|| RevokeError::Unsupported(p.name.clone()))?;
    let fail = |detail: String| RevokeError::Failed { name: p.name.clone(), detail };
    let encoded = super::signature::encode(&tokens.access_token);
    let url = url::Url::parse(&template.replace("{token}", &encoded)).map_err(|e| fail(e.to_string()))?;
    let header = super::oauth1::sign(p, tokens, "DELETE", &url, &[]);
    let request = http.client().delete(url).header(reqwest::header::AUTHORIZATION, header);
    let request = p.revocation_headers.iter().fold(request, |req, (name, value)| req.header(name, value));
    let resp = request.send().await.map_err(|e| fail(classify(e).to_string()))?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or_default();
    match refusal(status, &body) {
        None => Ok(()),
        Some(detail) => Err(fail(detail)),
    }
}

/// The request in the provider's style; `None` for a provider that cannot revoke.
fn shaped(client: &reqwest::Client, p: &Provider, url: &str, token: &str, hint: &str) -> Option<RequestBuilder> {
    let secret = p.client_secret.as_ref().map(|s| s.expose_secret().to_owned()).unwrap_or_default();
    let basic = |req: RequestBuilder| req.basic_auth(&p.client_id, Some(&secret));
    let form = [("token", token), ("token_type_hint", hint)];
    Some(match p.revocation_style {
        RevocationStyle::FormBasic => basic(client.post(url)).form(&form),
        RevocationStyle::FormBody => client.post(url).form(&[
            form[0],
            form[1],
            ("client_id", p.client_id.as_str()),
            ("client_secret", secret.as_str()),
        ]),
        RevocationStyle::JsonBasic => basic(client.post(url)).json(&json!({ "token": token })),
        RevocationStyle::Bearer => client.post(url).bearer_auth(token),
        RevocationStyle::Query => basic(client.post(url).query(&[("token", token)])),
        RevocationStyle::BasicDelete => basic(client.delete(url)).json(&json!({ "access_token": token })),
        // Needs the token secret: `revoke_tokens` sends it.
        RevocationStyle::SignedDelete | RevocationStyle::None => return None,
    })
}

/// Why an answer is not a confirmation, if it is not. RFC 7009 answers 200 also for a
/// token that was already invalid, GitHub 204, Dropbox `null`; Slack answers 200 with
/// `{"ok": false}` when it refuses and `"revoked": false` when it revoked nothing.
fn refusal(status: reqwest::StatusCode, body: &Value) -> Option<String> {
    let said = ["error", "code", "message"].iter().find_map(|k| body.get(*k).and_then(Value::as_str));
    if !status.is_success() {
        return Some(match said {
            Some(why) => format!("HTTP {}: {why}", status.as_u16()),
            None => format!("HTTP {}", status.as_u16()),
        });
    }
    if body.get("ok") == Some(&Value::Bool(false)) {
        return Some(said.unwrap_or("refused").to_owned());
    }
    if body.get("revoked") == Some(&Value::Bool(false)) {
        return Some("nothing was revoked".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn only_a_success_without_a_refusal_in_it_counts_as_revoked() {
        assert_eq!(refusal(StatusCode::OK, &Value::Null), None, "Dropbox answers null");
        assert_eq!(refusal(StatusCode::NO_CONTENT, &Value::Null), None, "GitHub answers 204");
        assert_eq!(refusal(StatusCode::OK, &json!({"ok": true, "revoked": true})), None);
        assert_eq!(
            refusal(StatusCode::OK, &json!({"ok": false, "error": "invalid_auth"})).as_deref(),
            Some("invalid_auth")
        );
        assert_eq!(
            refusal(StatusCode::OK, &json!({"ok": true, "revoked": false})).as_deref(),
            Some("nothing was revoked")
        );
        assert_eq!(
            refusal(StatusCode::UNAUTHORIZED, &json!({"error": "invalid_client"})).as_deref(),
            Some("HTTP 401: invalid_client")
        );
        assert_eq!(
            refusal(StatusCode::BAD_REQUEST, &json!({"code": "invalid_grant"})).as_deref(),
            Some("HTTP 400: invalid_grant")
        );
        assert_eq!(refusal(StatusCode::BAD_GATEWAY, &Value::Null).as_deref(), Some("HTTP 502"));
    }
}
