//! The sandbox's OAuth 1.0a credentials: temporary ones while a person consents, and the
//! token credentials' secrets it checks signatures with. Tokens and verifiers arrive
//! hashed; the secrets are kept, as any OAuth 1.0a provider must keep them.

use super::{Store, StoreResult, json_list, parse_json_list};

/// `sandbox_oauth1_tokens.kind`.
pub const OAUTH1_REQUEST: &str = "request";
pub const OAUTH1_ACCESS: &str = "access";

/// One stored credential. Debug shows no secret.
#[derive(Clone, PartialEq, sqlx::FromRow)]
pub struct SandboxOAuth1Token {
    pub kind: String,
    pub connector: String,
    pub secret: String,
    pub callback: String,
    pub verifier_hash: Option<String>,
    scopes: String,
    pub account_email: Option<String>,
    pub account_name: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl std::fmt::Debug for SandboxOAuth1Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxOAuth1Token").field("kind", &self.kind).field("connector", &self.connector).finish()
    }
}

impl SandboxOAuth1Token {
    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.scopes)
    }
}

/// A credential to store.
pub struct NewSandboxOAuth1Token<'a> {
    pub token_hash: &'a str,
    pub kind: &'static str,
    pub connector: &'a str,
    pub secret: &'a str,
    pub callback: &'a str,
    pub scopes: &'a [String],
    pub account: Option<(&'a str, &'a str)>,
    pub expires_at: i64,
}

impl Store {
    pub async fn insert_sandbox_oauth1_token(&self, t: NewSandboxOAuth1Token<'_>, at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sandbox_oauth1_tokens (token_hash, kind, connector, secret, callback, scopes, \
             account_email, account_name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(t.token_hash)
        .bind(t.kind)
        .bind(t.connector)
        .bind(t.secret)
        .bind(t.callback)
        .bind(json_list(t.scopes))
        .bind(t.account.map(|(email, _)| email))
        .bind(t.account.map(|(_, name)| name))
        .bind(at)
        .bind(t.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn sandbox_oauth1_token(&self, token_hash: &str) -> StoreResult<Option<SandboxOAuth1Token>> {
        Ok(sqlx::query_as::<_, SandboxOAuth1Token>(
            "SELECT kind, connector, secret, callback, verifier_hash, scopes, account_email, account_name, \
             expires_at, used_at FROM sandbox_oauth1_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records the person's consent on unspent temporary credentials: once only.
    pub async fn consent_sandbox_oauth1(
        &self,
        token_hash: &str,
        verifier_hash: &str,
        scopes: &[String],
        account: (&str, &str),
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sandbox_oauth1_tokens SET verifier_hash = $1, scopes = $2, account_email = $3, account_name = $4 \
             WHERE token_hash = $5 AND kind = 'request' AND used_at IS NULL AND verifier_hash IS NULL",
        )
        .bind(verifier_hash)
        .bind(json_list(scopes))
        .bind(account.0)
        .bind(account.1)
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Spends temporary credentials: one conditional UPDATE, so of two racing exchanges
    /// exactly one gets `true`.
    pub async fn spend_sandbox_oauth1(&self, token_hash: &str, at: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sandbox_oauth1_tokens SET used_at = $1 WHERE token_hash = $2 AND kind = 'request' AND used_at IS NULL",
        )
        .bind(at)
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_sandbox_oauth1_token(&self, token_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sandbox_oauth1_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Drops temporary credentials and nonces past their expiry; token credentials live
    /// until revoked.
    pub async fn purge_expired_sandbox_oauth1(&self, at: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sandbox_oauth1_tokens WHERE kind = 'request' AND expires_at <= $1")
            .bind(at)
            .execute(self.pool())
            .await?;
        let nonces = sqlx::query("DELETE FROM sandbox_oauth1_nonces WHERE expires_at <= $1")
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() + nonces.rows_affected())
    }

    /// Records a nonce (already combined with its client, token and timestamp); `false`
    /// when it was seen before, one conditional INSERT so that two racing replays cannot
    /// both pass.
    pub async fn first_sandbox_oauth1_nonce(&self, nonce_key: &str, expires_at: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO sandbox_oauth1_nonces (nonce_key, expires_at) VALUES ($1, $2) ON CONFLICT (nonce_key) DO NOTHING",
        )
        .bind(nonce_key)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
