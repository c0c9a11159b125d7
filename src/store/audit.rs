//! The audit log: who did what to which connection, and when. Never a token.

use super::{Store, StoreResult, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub app_id: Option<i64>,
    pub user_id: Option<i64>,
    pub action: String,
    pub connector: Option<String>,
    pub account: Option<String>,
    pub detail: Option<String>,
    pub at: i64,
    /// The app key that acted, when a key did (the App API, the MCP server).
    pub key_id: Option<i64>,
}

impl Store {
    pub async fn audit(
        &self,
        app_id: Option<i64>,
        user_id: Option<i64>,
        action: &str,
        connector: Option<&str>,
        account: Option<&str>,
        detail: Option<&str>,
    ) -> StoreResult<()> {
        // The account and detail often quote what someone typed.
        let account = account.map(|a| a.replace('\0', ""));
        let detail = detail.map(|d| d.replace('\0', ""));
        sqlx::query(
            "INSERT INTO audit_log (app_id, user_id, action, connector, account, detail, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(action)
        .bind(connector)
        .bind(account)
        .bind(detail)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn audit_of_app(&self, app_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        Ok(sqlx::query_as::<_, AuditEntry>(
            "SELECT id, app_id, user_id, action, connector, account, detail, at, key_id FROM audit_log \
             WHERE app_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(app_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn purge_audit_before(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1").bind(before).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }

    /// Records one use of an app key (which key, never the key itself).
    pub async fn audit_key_use(&self, app_id: i64, key_id: i64, action: &str, detail: Option<&str>) -> StoreResult<()> {
        sqlx::query("INSERT INTO audit_log (app_id, key_id, action, detail, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(app_id)
            .bind(key_id)
            .bind(action)
            .bind(detail)
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records one MCP tool call made with an app key: the tool and the connector it
    /// reached, and how it ended. Never the inputs (they may quote people's data), never
    /// a token.
    pub async fn audit_key_call(
        &self,
        app_id: i64,
        key_id: i64,
        action: &str,
        connector: Option<&str>,
        detail: &str,
    ) -> StoreResult<()> {
        let detail = detail.replace('\0', "");
        sqlx::query(
            "INSERT INTO audit_log (app_id, key_id, action, connector, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(app_id)
        .bind(key_id)
        .bind(action)
        .bind(connector)
        .bind(detail)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
