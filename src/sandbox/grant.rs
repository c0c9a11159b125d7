//! What the sandbox's endpoints do, without HTTP: issue a code for a consent, exchange it
//! for tokens, refresh with rotation, revoke, and say whose an access token is. Each takes
//! the time as an argument, so expiry is tested without waiting.

use super::pkce::{CodeChallenge, verifier_is_well_formed};
use super::request::split_scopes;
use super::{Account, AuthorizeRequest, CODE_TTL_SECS, digest, new_secret};
use crate::store::{CodeRedemption, NewSandboxAccessToken, NewSandboxGrant, SandboxCode, Store, StoreError};
use serde::Serialize;
use std::fmt;

/// Why the token endpoint refused: the RFC 6749 §5.2 error codes.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// A parameter is missing, repeated or malformed.
    #[error("{0}")]
    InvalidRequest(String),
    /// The client is unknown or did not prove it is who it says (answered with 401).
    #[error("{0}")]
    InvalidClient(String),
    /// The code or refresh token is unknown, spent, expired, revoked or another client's,
    /// or the redirect URI or PKCE verifier does not match the code.
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("sandbox storage failed: {0}")]
    Store(#[from] StoreError),
}

impl TokenError {
    /// The `error` value of the JSON answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::InvalidScope(_) => "invalid_scope",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::Store(_) => "server_error",
        }
    }
}

/// The token endpoint's success answer (RFC 6749 §5.1). Debug shows no token.
#[derive(Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    /// Space-separated, whatever separator the request used.
    pub scope: String,
}

impl fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAnswer").field("expires_in", &self.expires_in).field("scope", &self.scope).finish()
    }
}

/// The parameters of `grant_type=authorization_code` besides the client's credentials.
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
}

/// Records the consent and returns the code for the redirect. Expired codes and access
/// tokens are swept here, on the way: the sandbox needs no background task of its own.
pub async fn issue_code(
    store: &Store,
    request: &AuthorizeRequest,
    account: &Account,
    at: i64,
) -> Result<String, StoreError> {
    store.purge_expired_sandbox(at).await?;
    let code = new_secret("sbx_code_");
    store
        .insert_sandbox_code(&SandboxCode::new(
            digest(&code),
            &request.connector,
            &request.redirect_uri,
            &request.scopes,
            request.code_challenge.as_str(),
            &account.email,
            &account.name,
            at,
            at + CODE_TTL_SECS,
        ))
        .await?;
    Ok(code)
}

/// Exchanges a code for tokens, for the client that plays `connector`. The code is spent
/// by the first attempt, whether or not the rest checks out; a second attempt revokes
/// what the first one issued (RFC 6749 §4.1.2).
pub async fn exchange_code(
    store: &Store,
    connector: &str,
    x: CodeExchange<'_>,
    ttl_secs: u64,
    at: i64,
) -> Result<TokenAnswer, TokenError> {
    if !verifier_is_well_formed(x.code_verifier) {
        return Err(TokenError::InvalidRequest("code_verifier must be 43 to 128 unreserved characters".into()));
    }
    let code = match store.redeem_sandbox_code(&digest(x.code), at).await? {
        CodeRedemption::Fresh(code) => code,
        CodeRedemption::Replayed { grant_id } => {
            if let Some(id) = grant_id {
                store.revoke_sandbox_grant(id).await?;
            }
            return Err(TokenError::InvalidGrant(
                "the code was already used; the tokens it was exchanged for are now revoked".into(),
            ));
        }
        CodeRedemption::Unknown => return Err(TokenError::InvalidGrant("the code is unknown or has expired".into())),
    };
    if code.expires_at <= at {
        return Err(TokenError::InvalidGrant(format!("the code has expired (codes live {CODE_TTL_SECS} seconds)")));
    }
    if code.connector != connector {
        return Err(TokenError::InvalidGrant("the code was issued to another client".into()));
    }
    if code.redirect_uri != x.redirect_uri {
        return Err(TokenError::InvalidGrant("redirect_uri differs from the one the code was issued for".into()));
    }
    let challenge = CodeChallenge::parse(&code.code_challenge)
        .ok_or_else(|| StoreError::Corrupt("a sandbox code holds a malformed challenge".into()))?;
    if !challenge.accepts(x.code_verifier) {
        return Err(TokenError::InvalidGrant("code_verifier does not match the code_challenge".into()));
    }
    let scopes = code.scopes()?;
    let (access, refresh) = (new_secret("sbx_at_"), new_secret("sbx_rt_"));
    store
        .create_sandbox_grant(
            NewSandboxGrant {
                connector,
                scopes: &scopes,
                account_email: &code.account_email,
                account_name: &code.account_name,
                refresh_hash: &digest(&refresh),
                code_hash: Some(&code.code_hash),
            },
            NewSandboxAccessToken { token_hash: &digest(&access), scopes: &scopes, expires_at: expiry(at, ttl_secs) },
            at,
        )
        .await?;
    Ok(answer(access, refresh, ttl_secs, &scopes))
}

/// A new access token and a new refresh token for a refresh token, which stops working
/// (rotation). `scope` may narrow what was granted, never widen it (RFC 6749 §6).
///
/// Presenting a rotated-away token is `invalid_grant` and nothing more: the grant is not
/// revoked, so that two patchbay instances racing to refresh one connection leave the
/// winner's tokens working.
pub async fn refresh(
    store: &Store,
    connector: &str,
    refresh_token: &str,
    scope: Option<&str>,
    ttl_secs: u64,
    at: i64,
) -> Result<TokenAnswer, TokenError> {
    let spent = || TokenError::InvalidGrant("the refresh token is unknown, revoked, or already used".into());
    let old_hash = digest(refresh_token);
    let grant = store.sandbox_grant_by_refresh(&old_hash).await?.ok_or_else(spent)?;
    if grant.connector != connector {
        return Err(TokenError::InvalidGrant("the refresh token was issued to another client".into()));
    }
    let granted = grant.scopes()?;
    let scopes = match scope {
        None => granted,
        Some(raw) => {
            let mut asked: Vec<String> = Vec::new();
            for s in split_scopes(raw) {
                if !granted.iter().any(|g| g == s) {
                    return Err(TokenError::InvalidScope(format!("scope '{s}' was not granted")));
                }
                if !asked.iter().any(|a| a == s) {
                    asked.push(s.to_owned());
                }
            }
            asked
        }
    };
    let (access, refresh) = (new_secret("sbx_at_"), new_secret("sbx_rt_"));
    let token =
        NewSandboxAccessToken { token_hash: &digest(&access), scopes: &scopes, expires_at: expiry(at, ttl_secs) };
    if !store.rotate_sandbox_refresh(grant.id, &old_hash, &digest(&refresh), token, at).await? {
        tracing::warn!(grant = grant.id, connector, "sandbox: a refresh token was used twice");
        return Err(spent());
    }
    // One line per refresh, so a soak run can count refreshes per token lifetime.
    tracing::info!(grant = grant.id, connector, "sandbox: refreshed an access token");
    Ok(answer(access, refresh, ttl_secs, &scopes))
}

/// Revokes `token` if it is `connector`'s client's (RFC 7009). Another client's token is
/// left alone without saying so, which keeps the answer the same 200 whether or not the
/// token exists.
pub async fn revoke(store: &Store, connector: &str, token: &str) -> Result<bool, StoreError> {
    store.revoke_sandbox_token(&digest(token), connector).await
}

/// The account behind a live access token.
pub async fn userinfo(store: &Store, access_token: &str, at: i64) -> Result<Option<Account>, StoreError> {
    Ok(store
        .sandbox_access(&digest(access_token), at)
        .await?
        .map(|a| Account { email: a.grant.account_email, name: a.grant.account_name }))
}

fn expiry(at: i64, ttl_secs: u64) -> i64 {
    at.saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX))
}

fn answer(access_token: String, refresh_token: String, expires_in: u64, scopes: &[String]) -> TokenAnswer {
    TokenAnswer { access_token, token_type: "Bearer", expires_in, refresh_token, scope: scopes.join(" ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLBACK: &str = "http://127.0.0.1:8080/oauth/callback";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const T0: i64 = 1_800_000_000;

    async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        (Store::connect(&Store::sqlite_url(dir.path())).await.unwrap(), dir)
    }

    fn request() -> AuthorizeRequest {
        AuthorizeRequest {
            client_id: "sandbox-gmail".into(),
            connector: "gmail".into(),
            redirect_uri: CALLBACK.into(),
            scopes: vec!["openid".into(), "email".into()],
            state: Some("s".into()),
            code_challenge: CodeChallenge::of_verifier(VERIFIER),
            select_account: false,
            login_hint: None,
        }
    }

    fn exchange(code: &str) -> CodeExchange<'_> {
        CodeExchange { code, redirect_uri: CALLBACK, code_verifier: VERIFIER }
    }

    fn account() -> Account {
        Account::parse("alex.rivera@example.com", None).unwrap()
    }

    #[tokio::test]
    async fn a_sandbox_code_is_refused_once_its_five_minutes_are_over() {
        let (store, _dir) = store().await;
        let code = issue_code(&store, &request(), &account(), T0).await.unwrap();
        let err = exchange_code(&store, "gmail", exchange(&code), 60, T0 + CODE_TTL_SECS).await.unwrap_err();
        assert!(matches!(&err, TokenError::InvalidGrant(m) if m.contains("expired")), "{err:?}");
    }

    #[tokio::test]
    async fn a_sandbox_access_token_works_until_its_lifetime_ends() {
        let (store, _dir) = store().await;
        let code = issue_code(&store, &request(), &account(), T0).await.unwrap();
        let tokens = exchange_code(&store, "gmail", exchange(&code), 60, T0).await.unwrap();
        assert_eq!((tokens.expires_in, tokens.scope.as_str()), (60, "openid email"));
        assert!(!format!("{tokens:?}").contains(&tokens.access_token), "Debug shows no token");
        let who = userinfo(&store, &tokens.access_token, T0 + 59).await.unwrap().unwrap();
        assert_eq!(who, account());
        assert!(userinfo(&store, &tokens.access_token, T0 + 60).await.unwrap().is_none());
        assert!(userinfo(&store, &tokens.refresh_token, T0).await.unwrap().is_none(), "a refresh token is no access");
    }

    #[tokio::test]
    async fn a_sandbox_refresh_may_narrow_the_scopes_but_not_widen_them() {
        let (store, _dir) = store().await;
        let code = issue_code(&store, &request(), &account(), T0).await.unwrap();
        let first = exchange_code(&store, "gmail", exchange(&code), 60, T0).await.unwrap();
        let wider = refresh(&store, "gmail", &first.refresh_token, Some("openid profile"), 60, T0).await.unwrap_err();
        assert_eq!(wider.code(), "invalid_scope");
        let other = refresh(&store, "outlook", &first.refresh_token, None, 60, T0).await.unwrap_err();
        assert_eq!(other.code(), "invalid_grant", "another client's refresh token");
        let narrow = refresh(&store, "gmail", &first.refresh_token, Some("email"), 60, T0).await.unwrap();
        assert_eq!(narrow.scope, "email");
        let again = refresh(&store, "gmail", &first.refresh_token, None, 60, T0).await.unwrap_err();
        assert_eq!(again.code(), "invalid_grant", "the old refresh token was rotated away");
        let full = refresh(&store, "gmail", &narrow.refresh_token, None, 60, T0).await.unwrap();
        assert_eq!(full.scope, "openid email", "the grant keeps everything consented to");
    }

    #[tokio::test]
    async fn a_sandbox_code_for_one_client_cannot_be_spent_by_another() {
        let (store, _dir) = store().await;
        let code = issue_code(&store, &request(), &account(), T0).await.unwrap();
        let err = exchange_code(&store, "outlook", exchange(&code), 60, T0).await.unwrap_err();
        assert!(matches!(&err, TokenError::InvalidGrant(m) if m.contains("another client")), "{err:?}");
        let bad = CodeExchange { code: &code, redirect_uri: CALLBACK, code_verifier: "short" };
        assert_eq!(exchange_code(&store, "gmail", bad, 60, T0).await.unwrap_err().code(), "invalid_request");
    }
}
