//! Authorizations begun but not completed: the OAuth `state` (stored as a hash), what it
//! was for, and the sealed PKCE verifier. Kept in the database so that any server instance
//! can complete a callback; taken exactly once.

use super::{Store, StoreResult, json_list, parse_json_list};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PendingAuthorization {
    pub state_hash: String,
    pub app_id: i64,
    pub connector: String,
    pub user_id: i64,
    scopes: String,
    /// `connect`, `reconnect` or `switch`.
    pub purpose: String,
    pub message_id: Option<i64>,
    pub sealed_verifier: Option<Vec<u8>>,
    pub created_at: i64,
    pub expires_at: i64,
    /// JSON: what the builder typed for a provider on the customer's own host (a Shopify
    /// shop), kept with the connection once it is made.
    config: String,
}

impl PendingAuthorization {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        state_hash: String,
        app_id: i64,
        connector: &str,
        user_id: i64,
        scopes: &[String],
        purpose: &str,
        message_id: Option<i64>,
        sealed_verifier: Option<Vec<u8>>,
        created_at: i64,
        expires_at: i64,
    ) -> Self {
        Self {
            state_hash,
            app_id,
            connector: connector.to_owned(),
            user_id,
            scopes: json_list(scopes),
            purpose: purpose.to_owned(),
            message_id,
            sealed_verifier,
            created_at,
            expires_at,
            config: "{}".into(),
        }
    }

    /// With the values the builder typed for this connection.
    pub fn with_config(mut self, config: &serde_json::Map<String, serde_json::Value>) -> Self {
        self.config = serde_json::Value::Object(config.clone()).to_string();
        self
    }

    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.scopes)
    }

    pub fn config(&self) -> StoreResult<serde_json::Map<String, serde_json::Value>> {
        serde_json::from_str(&self.config).map_err(|e| super::StoreError::Corrupt(format!("a pending config: {e}")))
    }
}

/// The selected columns, as a macro so queries stay `&'static str` (sqlx refuses
/// SQL built at run time unless asserted safe).
macro_rules! columns {
    () => {
        "state_hash, app_id, connector, user_id, scopes, purpose, message_id, sealed_verifier, created_at, expires_at, config"
    };
}

impl Store {
    pub async fn insert_pending(&self, p: &PendingAuthorization) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO pending_authorizations (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&p.state_hash)
        .bind(p.app_id)
        .bind(&p.connector)
        .bind(p.user_id)
        .bind(&p.scopes)
        .bind(&p.purpose)
        .bind(p.message_id)
        .bind(p.sealed_verifier.as_deref())
        .bind(p.created_at)
        .bind(p.expires_at)
        .bind(&p.config)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Removes and returns the pending authorization: a second call with the same state
    /// finds nothing, which is what makes a state single-use. Expiry is the caller's check,
    /// so that it can tell "expired" from "unknown".
    pub async fn take_pending(&self, state_hash: &str) -> StoreResult<Option<PendingAuthorization>> {
        Ok(sqlx::query_as::<_, PendingAuthorization>(concat!(
            "DELETE FROM pending_authorizations WHERE state_hash = $1 RETURNING ",
            columns!(),
            ""
        ))
        .bind(state_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn purge_expired_pending(&self, at: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM pending_authorizations WHERE expires_at <= $1")
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

/// New tokens for a connection, held until the builder confirms a change of account.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PendingSwitch {
    pub id: String,
    pub connection_id: i64,
    pub user_id: i64,
    pub account: String,
    granted_scopes: String,
    pub sealed_tokens: Vec<u8>,
    pub expires_at: Option<i64>,
    pub valid_until: i64,
}

impl PendingSwitch {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        connection_id: i64,
        user_id: i64,
        account: &str,
        granted_scopes: &[String],
        sealed_tokens: Vec<u8>,
        expires_at: Option<i64>,
        valid_until: i64,
    ) -> Self {
        Self {
            id,
            connection_id,
            user_id,
            account: account.to_owned(),
            granted_scopes: json_list(granted_scopes),
            sealed_tokens,
            expires_at,
            valid_until,
        }
    }

    pub fn granted_scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.granted_scopes)
    }
}

impl Store {
    pub async fn insert_pending_switch(&self, p: &PendingSwitch) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pending_switches (id, connection_id, user_id, account, granted_scopes, sealed_tokens, expires_at, valid_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&p.id)
        .bind(p.connection_id)
        .bind(p.user_id)
        .bind(&p.account)
        .bind(&p.granted_scopes)
        .bind(p.sealed_tokens.as_slice())
        .bind(p.expires_at)
        .bind(p.valid_until)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn pending_switch(&self, id: &str) -> StoreResult<Option<PendingSwitch>> {
        Ok(sqlx::query_as::<_, PendingSwitch>(
            "SELECT id, connection_id, user_id, account, granted_scopes, sealed_tokens, expires_at, valid_until \
             FROM pending_switches WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Removes and returns it: a confirmation is used once.
    pub async fn take_pending_switch(&self, id: &str) -> StoreResult<Option<PendingSwitch>> {
        Ok(sqlx::query_as::<_, PendingSwitch>(
            "DELETE FROM pending_switches WHERE id = $1 \
             RETURNING id, connection_id, user_id, account, granted_scopes, sealed_tokens, expires_at, valid_until",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }
}
