//! Connection rows. Tokens arrive here already sealed (see `connections::TokenCipher`):
//! the store never sees a plaintext token. `version` guards every token write, so two
//! servers refreshing the same connection cannot both win.

use super::{Store, StoreError, StoreResult, conflict_or, json_list, now, parse_json_list};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: i64,
    pub app_id: i64,
    pub connector: String,
    pub kind: String,
    pub owner_user_id: Option<i64>,
    pub account: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    granted_scopes: String,
    pub sealed_tokens: Option<Vec<u8>>,
    pub expires_at: Option<i64>,
    pub issued_at: Option<i64>,
    pub version: i64,
    pub refresh_lease_until: Option<i64>,
    pub refresh_failures: i64,
    pub next_refresh_at: Option<i64>,
    pub connected_by: Option<i64>,
    pub connected_at: i64,
    pub last_used_at: Option<i64>,
    pub updated_at: i64,
    config: String,
    /// For an app-user connection: the host's reference for the person.
    pub user_ref: Option<String>,
}

impl ConnectionRow {
    pub fn granted_scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.granted_scopes)
    }

    /// Values the provider's API needs besides the token (see `actions::config`).
    pub fn config(&self) -> StoreResult<serde_json::Map<String, serde_json::Value>> {
        serde_json::from_str(&self.config).map_err(|e| StoreError::Corrupt(format!("a connection's config: {e}")))
    }
}

#[derive(Clone, Debug)]
pub struct NewConnection<'a> {
    pub app_id: i64,
    pub connector: &'a str,
    /// `shared` or `app_user`.
    pub kind: &'a str,
    pub owner_user_id: Option<i64>,
    pub account: Option<&'a str>,
    pub status: &'a str,
    pub granted_scopes: &'a [String],
    pub sealed_tokens: Option<&'a [u8]>,
    pub expires_at: Option<i64>,
    pub connected_by: i64,
}

/// New tokens (and what came with them) for an existing connection.
#[derive(Clone, Debug)]
pub struct TokenUpdate<'a> {
    pub sealed_tokens: Option<&'a [u8]>,
    pub expires_at: Option<i64>,
    pub granted_scopes: Option<&'a [String]>,
    pub account: Option<&'a str>,
    pub status: &'a str,
    pub status_reason: Option<&'a str>,
}

/// The selected columns, as a macro so queries stay `&'static str` (sqlx refuses
/// SQL built at run time unless asserted safe).
macro_rules! columns {
    () => {
        "id, app_id, connector, kind, owner_user_id, account, status, status_reason, granted_scopes, \
    sealed_tokens, expires_at, issued_at, version, refresh_lease_until, refresh_failures, next_refresh_at, connected_by, connected_at, \
            last_used_at, updated_at, config, user_ref"
    };
}
pub(super) use columns as connection_columns;

impl Store {
    /// Adds a connection; a second shared connection for the same connector and app is a
    /// `Conflict`, refused by the unique index even when two requests race.
    pub async fn insert_connection(&self, new: NewConnection<'_>) -> StoreResult<ConnectionRow> {
        let at = now();
        sqlx::query_as::<_, ConnectionRow>(concat!(
            "INSERT INTO connections (app_id, connector, kind, owner_user_id, account, status, granted_scopes, \
             sealed_tokens, expires_at, connected_by, connected_at, updated_at, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11) RETURNING ",
            columns!(),
            ""
        ))
        .bind(new.app_id)
        .bind(new.connector)
        .bind(new.kind)
        .bind(new.owner_user_id)
        .bind(new.account)
        .bind(new.status)
        .bind(json_list(new.granted_scopes))
        .bind(new.sealed_tokens)
        .bind(new.expires_at)
        .bind(new.connected_by)
        .bind(at)
        .fetch_one(self.pool())
        .await
        .map_err(|e| {
            conflict_or(
                e,
                &format!("this app already has a shared {} connection: use Reconnect or Switch account", new.connector),
            )
        })
    }

    pub async fn connection(&self, id: i64) -> StoreResult<Option<ConnectionRow>> {
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!("SELECT ", columns!(), " FROM connections WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn shared_connection(&self, app_id: i64, connector: &str) -> StoreResult<Option<ConnectionRow>> {
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM connections WHERE app_id = $1 AND connector = $2 AND kind = 'shared'"
        ))
        .bind(app_id)
        .bind(connector)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn connections_of_app(&self, app_id: i64) -> StoreResult<Vec<ConnectionRow>> {
        of_app(self.pool(), app_id).await
    }

    /// Connections holding tokens that expire before `before`: the refresher's work list.
    pub async fn connections_expiring(&self, before: i64, at: i64) -> StoreResult<Vec<ConnectionRow>> {
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM connections WHERE sealed_tokens IS NOT NULL AND expires_at IS NOT NULL \
             AND expires_at < $1 AND status IN ('connected', 'expires_soon', 'error') \
             AND (next_refresh_at IS NULL OR next_refresh_at <= $2) ORDER BY expires_at"
        ))
        .bind(before)
        .bind(at)
        .fetch_all(self.pool())
        .await?)
    }

    /// Claims the right to refresh: succeeds for one caller only, whichever server it runs
    /// on, because the claim is a write checked against the row version.
    pub async fn claim_refresh(&self, id: i64, expected_version: i64, lease_until: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE connections SET refresh_lease_until = $1, version = version + 1 \
             WHERE id = $2 AND version = $3 AND (refresh_lease_until IS NULL OR refresh_lease_until < $4)",
        )
        .bind(lease_until)
        .bind(id)
        .bind(expected_version)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a refresh that did not produce tokens: the status and reason say why, the
    /// tokens stay, and `retry_at` sets when the next attempt may run.
    pub async fn refresh_failed(&self, id: i64, status: &str, reason: &str, retry_at: Option<i64>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE connections SET status = $1, status_reason = $2, refresh_lease_until = NULL, \
             refresh_failures = refresh_failures + 1, next_refresh_at = $3, version = version + 1, updated_at = $4 WHERE id = $5",
        )
        .bind(status)
        .bind(reason)
        .bind(retry_at)
        .bind(now())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes the tokens and keeps the record, so flows show what they need again.
    pub async fn disconnect_connection(&self, id: i64, reason: &str) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE connections SET sealed_tokens = NULL, expires_at = NULL, status = 'disconnected', status_reason = $1, \
             refresh_lease_until = NULL, refresh_failures = 0, next_refresh_at = NULL, version = version + 1, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(reason)
        .bind(now())
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Writes new tokens only if the row is still at `expected_version`; returns false when
    /// another writer (another server, another task) got there first.
    pub async fn update_tokens(&self, id: i64, expected_version: i64, update: TokenUpdate<'_>) -> StoreResult<bool> {
        let scopes = update.granted_scopes.map(json_list);
        let done = sqlx::query(
            "UPDATE connections SET sealed_tokens = $1, expires_at = $2, \
             granted_scopes = COALESCE($3, granted_scopes), account = COALESCE($4, account), \
             status = $5, status_reason = $6, version = version + 1, updated_at = $7, issued_at = $7, \
             refresh_lease_until = NULL, refresh_failures = 0, next_refresh_at = NULL \
             WHERE id = $8 AND version = $9",
        )
        .bind(update.sealed_tokens)
        .bind(update.expires_at)
        .bind(scopes)
        .bind(update.account)
        .bind(update.status)
        .bind(update.status_reason)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes the status alone (the tokens stay as they are).
    pub async fn set_connection_status(&self, id: i64, status: &str, reason: Option<&str>) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE connections SET status = $1, status_reason = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(reason)
        .bind(now())
        .bind(id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Records who connected it and when: used when an account is switched or reconnected.
    pub async fn set_connected_by(&self, id: i64, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE connections SET connected_by = $1, connected_at = $2 WHERE id = $3")
            .bind(user_id)
            .bind(now())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn touch_connection(&self, id: i64, at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE connections SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Replaces the connection's configuration (a JSON object).
    pub async fn set_connection_config(
        &self,
        id: i64,
        config: &serde_json::Map<String, serde_json::Value>,
    ) -> StoreResult<()> {
        let text = serde_json::Value::Object(config.clone()).to_string();
        sqlx::query("UPDATE connections SET config = $1 WHERE id = $2")
            .bind(super::plain_text("a connection's config", &text)?)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_connection(&self, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM connections WHERE id = $1").bind(id).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every connection that holds tokens (for `patchbay keys rewrap`).
    pub async fn connections_with_tokens(&self) -> StoreResult<Vec<ConnectionRow>> {
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM connections WHERE sealed_tokens IS NOT NULL ORDER BY id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    /// Swaps the sealed blob for the same tokens sealed anew, only if it is still `old`.
    pub async fn replace_sealed_tokens(&self, id: i64, old: &[u8], new: &[u8]) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE connections SET sealed_tokens = $1 WHERE id = $2 AND sealed_tokens = $3")
            .bind(new)
            .bind(id)
            .bind(old)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// The app's connections, on the pool or on a connection that serves several reads.
pub(super) async fn of_app<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    app_id: i64,
) -> StoreResult<Vec<ConnectionRow>> {
    Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
        "SELECT ",
        columns!(),
        " FROM connections WHERE app_id = $1 ORDER BY connector, id"
    ))
    .bind(app_id)
    .fetch_all(db)
    .await?)
}
