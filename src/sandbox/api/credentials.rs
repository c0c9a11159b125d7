//! How a call to the sandbox's API proves itself, in the connector's style: a bearer token
//! (or the provider's own word or header), or an OAuth 1.0a signature made with the token
//! credentials' secret. And the two requests about the credential itself that a provider
//! answers under its API: who the token belongs to (the catalog's `userinfo_url`, shaped
//! by `userinfo_example`) and, for `signed_delete`, revoking the token.

use super::{Play, Scope, new_id};
use crate::catalog::Connector;
use crate::catalog::template::render_json;
use crate::sandbox::oauth1::{self, Refusal};
use crate::store::{NewOutboxCall, OAUTH1_ACCESS, SandboxAccess, StoreError};
use axum::Json;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// A URL of the connector's API as a path under its base (`/members/me` of
/// `https://api.trello.com/1/members/me`); a URL elsewhere keeps its whole path.
pub fn relative_path(connector: &Connector, url: &str) -> String {
    let base = connector.api.as_ref().map(|a| a.base_url.trim_end_matches('/'));
    if let Some(rest) = base.and_then(|b| url.strip_prefix(b)) {
        return rest.to_owned();
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or_else(|| "/".to_owned(), |i| after_scheme[i..].to_owned())
}

impl Play<'_> {
    /// The token after `Bearer` or the API's own word, or in its own header.
    pub(super) fn bearer_token(&self, headers: &HeaderMap) -> Option<String> {
        let api = self.connector.api.as_ref();
        let mut schemes = vec!["bearer".to_owned()];
        schemes.extend(api.map(|a| a.auth_scheme.to_lowercase()));
        schemes.extend(
            api.iter().flat_map(|a| &a.config).filter_map(|f| f.auth_scheme.as_ref()).map(|s| s.to_lowercase()),
        );
        let schemes: Vec<&str> = schemes.iter().map(String::as_str).collect();
        let own_header =
            api.and_then(|a| a.auth_header.as_deref()).and_then(|h| headers.get(h)).and_then(|v| v.to_str().ok());
        own_header.or_else(|| crate::sandbox::endpoints::credential(headers, &schemes)).map(str::to_owned)
    }

    /// The token credentials of a correctly signed OAuth 1.0a call, or the 401 to answer.
    pub(super) async fn signed_token(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Result<String, Response>, StoreError> {
        let form = oauth1::form_params(headers, body);
        match oauth1::verify(self.state, method.as_str(), uri, headers, &form).await {
            Ok(signed) => match signed.token {
                Some((token, known)) if known.kind == OAUTH1_ACCESS => Ok(Ok(token)),
                _ => Ok(Err(self.error(StatusCode::UNAUTHORIZED, "invalid token"))),
            },
            Err(Refusal::Store(e)) => Err(e),
            Err(refused) => Ok(Err(self.error(StatusCode::UNAUTHORIZED, &refused.to_string()))),
        }
    }

    /// Answers the userinfo request (`GET` at the catalog's `userinfo_url`) and the
    /// revocation of the calling token (`DELETE` at `revocation_url`, `{token}` filled);
    /// `None` for any other call.
    pub(super) async fn account_or_revocation(
        &self,
        method: &Method,
        path: &str,
        access: &SandboxAccess,
        token: &str,
    ) -> Result<Option<Response>, StoreError> {
        let auth = &self.connector.auth;
        // Only where the catalog shapes the answer: other connectors' userinfo URLs may be
        // lookups of their own (LinkedIn's member id), answered from their examples.
        let shaped = auth.userinfo_example.as_ref().and(auth.userinfo_url.as_deref());
        let me = shaped.map(|u| relative_path(self.connector, u));
        let (response, summary) = if method == Method::GET && me.as_deref() == Some(path) {
            let empty = Map::new();
            let scope = Scope {
                params: &empty,
                query: &empty,
                body: &Value::Null,
                account: &access.grant.account_email,
                account_name: &access.grant.account_name,
                base: &self.base,
                id: new_id(),
                status: 0,
                message: String::new(),
            };
            let example = auth.userinfo_example.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok());
            let answer = example.and_then(|e| render_json(&e, &scope).ok().flatten()).unwrap_or(Value::Null);
            (Json(answer).into_response(), "read who the token belongs to".to_owned())
        } else if method == Method::DELETE && self.names_token(path, token) {
            let hash = crate::sandbox::digest(token);
            self.state.store.revoke_sandbox_token(&hash, self.connector.id.as_str()).await?;
            self.state.store.delete_sandbox_oauth1_token(&hash).await?;
            (Json(json!({ "_value": null })).into_response(), "revoked the token".to_owned())
        } else {
            return Ok(None);
        };
        let line = format!("{}: {summary}", self.connector.name);
        let recorded = NewOutboxCall {
            connector: self.connector.id.as_str(),
            operation: None,
            method: method.as_str(),
            path,
            status: response.status().as_u16(),
            summary: &line,
            body: "null",
        };
        self.state.store.record_outbox(recorded).await?;
        let mut response = response;
        response.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
        Ok(Some(response))
    }

    /// True when `path` is the revocation URL filled with the calling token: a token may
    /// revoke itself, never another.
    fn names_token(&self, path: &str, token: &str) -> bool {
        let auth = &self.connector.auth;
        if auth.revocation_style() != crate::catalog::RevocationStyle::SignedDelete {
            return false;
        }
        let Some(template) = auth.revocation_url.as_deref() else { return false };
        let template = relative_path(self.connector, template);
        let Some((before, after)) = template.split_once("{token}") else { return false };
        let named = path.strip_prefix(before).and_then(|rest| rest.strip_suffix(after));
        named.is_some_and(|n| percent_encoding::percent_decode_str(n).decode_utf8_lossy() == token)
    }
}
