//! Keeping connections alive and letting editors end them. Tokens are refreshed before use
//! and in the background when they expire within the margin. Concurrent uses of one
//! connection cause exactly one refresh: one per process through a lock per connection,
//! and one across servers sharing a database through a lease claimed with a version-checked
//! write. A rotated refresh token is stored in the same write as its access token.

use super::{Status, TokenSet};
use crate::oauth::app_user::AppUserError;
use crate::oauth::client::{self, TokenError};
use crate::oauth::revoke::{RevokeError, revoke_tokens};
use crate::oauth::{OAuth, Provider};
use crate::store::{ConnectionRow, StoreError, TokenUpdate, now};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LEASE_SECS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum UseError {
    #[error("this connection does not exist")]
    Missing,
    #[error("{name} is {status}: {reason}")]
    Unusable { name: String, status: &'static str, reason: String },
    #[error("{name} cannot be refreshed right now: {reason}")]
    Unavailable { name: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Connections {
    oauth: OAuth,
    locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl Connections {
    pub fn new(oauth: OAuth) -> Self {
        Self { oauth, locks: Mutex::new(HashMap::new()) }
    }

    fn lock_for(&self, id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(id).or_default().clone()
    }

    fn name(&self, connector: &str) -> String {
        self.oauth.catalog.get(connector).map_or(connector.to_owned(), |c| c.name.clone())
    }

    /// Due within the margin — but never before half the token's life, so that a provider
    /// with tokens shorter than the margin is not asked on every use.
    fn needs_refresh(&self, row: &ConnectionRow) -> bool {
        let Some(expires_at) = row.expires_at else { return false };
        let mut margin = self.oauth.settings.tokens.refresh_margin_secs;
        if let Some(issued) = row.issued_at {
            margin = margin.min((expires_at - issued) / 2);
        }
        expires_at - now() <= margin
    }

    fn open(&self, row: &ConnectionRow) -> Result<TokenSet, UseError> {
        let sealed = row.sealed_tokens.as_deref().ok_or_else(|| self.unusable(row))?;
        TokenSet::open_for(sealed, &self.oauth.cipher, row.app_id, &row.connector, row.user_ref.as_deref()).map_err(
            |_| UseError::Unusable {
                name: self.name(&row.connector),
                status: "error",
                reason: "its tokens cannot be decrypted with this server's key".into(),
            },
        )
    }

    /// False when the row holds tokens this server's keys cannot open (a key mix-up, or
    /// tampering): the page then says so instead of "Connected".
    pub fn tokens_readable(&self, row: &ConnectionRow) -> bool {
        row.sealed_tokens.is_none() || self.open(row).is_ok()
    }

    fn unusable(&self, row: &ConnectionRow) -> UseError {
        let status = Status::parse(&row.status);
        UseError::Unusable {
            name: self.name(&row.connector),
            status: status.label(),
            reason: row.status_reason.clone().unwrap_or_else(|| "connect it again".into()),
        }
    }

    /// The connection's tokens, refreshed first when they expire within the margin.
    pub async fn tokens(&self, id: i64) -> Result<TokenSet, UseError> {
        self.fresh_tokens(id, None).await
    }

    /// New tokens after the provider refused `rejected` with a 401, whatever its expiry
    /// said (it may have been revoked early, or the clocks disagree) — unless another call
    /// has replaced it meanwhile, in which case that replacement is the answer. Still one
    /// refresh per connection across servers.
    pub async fn tokens_after_rejection(&self, id: i64, rejected: &str) -> Result<TokenSet, UseError> {
        self.fresh_tokens(id, Some(rejected)).await
    }

    async fn fresh_tokens(&self, id: i64, rejected: Option<&str>) -> Result<TokenSet, UseError> {
        let lock = self.lock_for(id);
        let _one_at_a_time = lock.lock().await;
        let wait_budget = Duration::from_millis(self.oauth.settings.tokens.http_timeout_ms) + Duration::from_secs(2);
        let started = tokio::time::Instant::now();
        loop {
            let row = self.oauth.store.connection(id).await?.ok_or(UseError::Missing)?;
            let status = Status::parse(&row.status);
            if matches!(status, Status::Revoked | Status::Disconnected | Status::NeedsReauthorization)
                || row.sealed_tokens.is_none()
            {
                return Err(self.unusable(&row));
            }
            let tokens = self.open(&row)?;
            let refused = rejected.is_some_and(|r| r == tokens.access_token);
            if !refused && !self.needs_refresh(&row) {
                self.oauth.store.touch_connection(id, now()).await?;
                return Ok(tokens);
            }
            let Some(refresh_token) = tokens.refresh_token.clone() else {
                if refused {
                    return self.refused_without_refresh(&row).await;
                }
                return self.cannot_refresh(&row, tokens).await;
            };
            let leased = row.refresh_lease_until.is_some_and(|t| t > now());
            if leased || !self.oauth.store.claim_refresh(id, row.version, now() + LEASE_SECS).await? {
                // Another server is refreshing: wait for its result instead of racing it.
                if started.elapsed() > wait_budget {
                    return Err(UseError::Unavailable {
                        name: self.name(&row.connector),
                        reason: "another server is still refreshing it".into(),
                    });
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            return self.refresh(row.version + 1, &row, &refresh_token).await;
        }
    }

    /// Expiring with no refresh token: usable until it expires, then it needs the person.
    async fn cannot_refresh(&self, row: &ConnectionRow, tokens: TokenSet) -> Result<TokenSet, UseError> {
        let expired = row.expires_at.is_some_and(|at| at <= now());
        let (status, reason) = if expired {
            (Status::NeedsReauthorization, "the access expired and the provider gave no way to renew it")
        } else {
            (Status::ExpiresSoon, "the access expires soon and the provider gave no way to renew it")
        };
        if row.status != status.as_str() {
            self.oauth.store.set_connection_status(row.id, status.as_str(), Some(reason)).await?;
        }
        if expired {
            Err(UseError::Unusable { name: self.name(&row.connector), status: status.label(), reason: reason.into() })
        } else {
            Ok(tokens)
        }
    }

    /// The provider refused the access token and there is no refresh token to renew it.
    async fn refused_without_refresh(&self, row: &ConnectionRow) -> Result<TokenSet, UseError> {
        let name = self.name(&row.connector);
        let typed = self.oauth.catalog.get(&row.connector).is_some_and(|c| c.auth.kind.typed());
        let reason = if crate::catalog::is_custom(&row.connector) {
            // A custom API's secret was typed by an editor: only a new one restores it.
            "The API refused its secret. Replace the secret on My integrations to use it again.".to_owned()
        } else if typed {
            format!("{name} refused the stored credentials. Replace them on My integrations.")
        } else {
            format!("{name} refused the access token and gave no way to renew it. Reconnect to restore it.")
        };
        let status = Status::NeedsReauthorization;
        self.oauth.store.set_connection_status(row.id, status.as_str(), Some(&reason)).await?;
        Err(UseError::Unusable { name, status: status.label(), reason })
    }

    async fn refresh(
        &self,
        leased_version: i64,
        row: &ConnectionRow,
        refresh_token: &str,
    ) -> Result<TokenSet, UseError> {
        let name = self.name(&row.connector);
        let provider = match self.oauth.provider_of(row).await {
            Ok(p) => p,
            Err(AppUserError::Store(e)) => return Err(e.into()),
            Err(e) => {
                let reason = e.to_string();
                self.oauth.store.refresh_failed(row.id, Status::Error.as_str(), &reason, None).await?;
                return Err(UseError::Unavailable { name, reason });
            }
        };
        match client::refresh(&self.oauth.http, &provider, &self.oauth.settings.redirect_uri(), refresh_token).await {
            Ok(g) => {
                let tokens = g.tokens;
                let sealed = tokens.seal_for(&self.oauth.cipher, row.app_id, &row.connector, row.user_ref.as_deref());
                let update = TokenUpdate {
                    sealed_tokens: Some(&sealed),
                    expires_at: g.expires_in.map(|s| now() + s as i64),
                    granted_scopes: g.scopes.as_deref(),
                    account: None,
                    status: Status::Connected.as_str(),
                    status_reason: None,
                };
                if !self.oauth.store.update_tokens(row.id, leased_version, update).await? {
                    // The row changed under the lease (a reconnect): its newer tokens win.
                    let fresh = self.oauth.store.connection(row.id).await?.ok_or(UseError::Missing)?;
                    return self.open(&fresh);
                }
                self.oauth.store.touch_connection(row.id, now()).await?;
                if Status::parse(&row.status) != Status::Connected {
                    self.event(row, "connection.recovered", None).await?;
                }
                Ok(tokens)
            }
            Err(e @ (TokenError::Rejected(_) | TokenError::BadClient(_))) => {
                let reason = match e {
                    TokenError::Rejected(_) => format!(
                        "{name} refused the refresh token: access was withdrawn or expired. Reconnect to restore it."
                    ),
                    _ => e.to_string(),
                };
                self.oauth.store.refresh_failed(row.id, Status::Revoked.as_str(), &reason, None).await?;
                self.event(row, "connection.revoked", Some(&reason)).await?;
                Err(UseError::Unusable { name, status: Status::Revoked.label(), reason })
            }
            Err(e) => {
                // Passing trouble: keep the tokens, back off, and try again later.
                let backoff = 30i64 << row.refresh_failures.clamp(0, 6);
                let reason = format!("{e}; patchbay will try again");
                self.oauth.store.refresh_failed(row.id, Status::Error.as_str(), &reason, Some(now() + backoff)).await?;
                if row.refresh_failures == 0 {
                    self.event(row, "connection.refresh_failed", Some(&reason)).await?;
                }
                Err(UseError::Unavailable { name, reason })
            }
        }
    }

    /// Tells the app's backend (its webhook) what happened to a connection.
    async fn event(&self, row: &ConnectionRow, event: &str, reason: Option<&str>) -> Result<(), StoreError> {
        let data = serde_json::json!({"connector": row.connector, "account": row.account, "reason": reason});
        crate::runner::webhooks::emit(&self.oauth.store, row.app_id, event, data).await
    }

    /// The background task's round: refreshes every token that expires within the margin.
    pub async fn refresh_due(&self) -> Result<usize, StoreError> {
        let before = now() + self.oauth.settings.tokens.refresh_margin_secs;
        let due = self.oauth.store.connections_expiring(before, now()).await?;
        let mut refreshed = 0;
        for row in due {
            match self.tokens(row.id).await {
                Ok(_) => refreshed += 1,
                Err(e) => tracing::warn!(connection = row.id, connector = %row.connector, error = %e, "refresh failed"),
            }
        }
        Ok(refreshed)
    }

    /// Revokes at the provider where it can, then deletes the tokens and keeps the record
    /// as disconnected. Returns the provider's refusal, if any, for the page to show: the
    /// tokens are deleted either way.
    pub async fn disconnect(&self, row: &ConnectionRow, by: &str) -> Result<Option<RevokeError>, StoreError> {
        let warning = self.revoke_tokens(row).await;
        self.oauth.store.disconnect_connection(row.id, &format!("Disconnected by {by}.")).await?;
        Ok(warning)
    }

    /// Revokes (best effort) and deletes the record.
    pub async fn remove(&self, row: &ConnectionRow) -> Result<Option<RevokeError>, StoreError> {
        let warning = self.revoke_tokens(row).await;
        self.oauth.store.delete_connection(row.id).await?;
        Ok(warning)
    }

    async fn revoke_tokens(&self, row: &ConnectionRow) -> Option<RevokeError> {
        row.sealed_tokens.as_ref()?;
        let typed = self.oauth.catalog.get(&row.connector).is_some_and(|c| c.auth.kind.typed());
        if typed || crate::catalog::is_custom(&row.connector) {
            // Keys and secrets typed by hand have no revocation endpoint: deleting
            // patchbay's copy is all there is, and the page says where to withdraw the key.
            return None;
        }
        let Ok(tokens) = self.open(row) else {
            // Saying "revoked" here would be false: the grant may still be live.
            return Some(RevokeError::Failed {
                name: self.name(&row.connector),
                detail: "its tokens cannot be decrypted with this server's key, so they could not be revoked".into(),
            });
        };
        let provider: Provider = match self.oauth.provider_of(row).await {
            Ok(p) => p,
            Err(e) => return Some(RevokeError::Failed { name: self.name(&row.connector), detail: e.to_string() }),
        };
        revoke_tokens(&self.oauth.http, &provider, &tokens).await.err()
    }
}
