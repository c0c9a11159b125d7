//! Revoking tokens at the provider: RFC 7009 (a form POST with `token=…`), the token in
//! the query string (Zoom, Slack), or GitHub's `DELETE /applications/{client_id}/grant`
//! with the client's credentials. The connection's own records are deleted whatever the
//! provider answers; this only reports whether the provider confirmed.

use super::http::{ProviderHttp, classify};
use super::provider::Provider;
use crate::catalog::{ClientAuth, RevocationStyle};
use secrecy::ExposeSecret;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RevokeError {
    #[error("{0} has no revocation endpoint; remove patchbay's access in your {0} account settings")]
    Unsupported(String),
    #[error(
        "{name} did not confirm the revocation ({detail}); remove patchbay's access in your {name} account settings"
    )]
    Failed { name: String, detail: String },
}

/// Revokes one token; `hint` is `refresh_token` or `access_token`.
pub async fn revoke(http: &ProviderHttp, p: &Provider, token: &str, hint: &str) -> Result<(), RevokeError> {
    let Some(url) = &p.revocation_url else { return Err(RevokeError::Unsupported(p.name.clone())) };
    let secret = p.client_secret.as_ref().map(|s| s.expose_secret().to_owned()).unwrap_or_default();
    let client = http.client();
    let request = match p.revocation_style {
        RevocationStyle::Rfc7009 => {
            let mut form = vec![("token", token.to_owned()), ("token_type_hint", hint.to_owned())];
            let req = client.post(url);
            match p.client_auth {
                ClientAuth::Basic => req.basic_auth(&p.client_id, Some(&secret)).form(&form),
                ClientAuth::Body => {
                    form.push(("client_id", p.client_id.clone()));
                    form.push(("client_secret", secret));
                    req.form(&form)
                }
            }
        }
        RevocationStyle::Query => client.post(url).query(&[("token", token)]).basic_auth(&p.client_id, Some(&secret)),
        RevocationStyle::BasicDelete => client
            .delete(url)
            .basic_auth(&p.client_id, Some(&secret))
            .header("accept", "application/vnd.github+json")
            .json(&serde_json::json!({ "access_token": token })),
    };
    let fail = |detail: String| RevokeError::Failed { name: p.name.clone(), detail };
    let resp = request.send().await.map_err(|e| fail(classify(e).to_string()))?;
    let status = resp.status();
    // RFC 7009: 200 also for a token that was already invalid. GitHub answers 204.
    if status.is_success() {
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        if body.get("ok") == Some(&serde_json::Value::Bool(false)) {
            return Err(fail(body["error"].as_str().unwrap_or("refused").to_owned()));
        }
        Ok(())
    } else {
        Err(fail(format!("HTTP {}", status.as_u16())))
    }
}
