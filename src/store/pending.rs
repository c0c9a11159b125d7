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
        }
    }

    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.scopes)
    }
}

/// The selected columns, as a macro so queries stay `&'static str` (sqlx refuses
/// SQL built at run time unless asserted safe).
macro_rules! columns {
    () => {
        "state_hash, app_id, connector, user_id, scopes, purpose, message_id, sealed_verifier, created_at, expires_at"
    };
}

impl Store {
    pub async fn insert_pending(&self, p: &PendingAuthorization) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO pending_authorizations (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
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
