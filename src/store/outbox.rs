//! The sandbox's record of the calls it played (the Sandbox outbox), and the failures it
//! was asked to play next. In the database, like the rest of the sandbox, so that every
//! server instance shows the same outbox.

use super::{Store, StoreResult, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub connector: String,
    pub operation: Option<String>,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub summary: String,
    /// JSON: the request body, decoded into readable form.
    pub body: String,
    pub at: i64,
}

/// A call to record.
pub struct NewOutboxCall<'a> {
    pub connector: &'a str,
    pub operation: Option<&'a str>,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub summary: &'a str,
    pub body: &'a str,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct FaultRow {
    pub id: i64,
    pub connector: String,
    pub kind: String,
    pub remaining: i64,
}

impl Store {
    pub async fn record_outbox(&self, call: NewOutboxCall<'_>) -> StoreResult<()> {
        let clean = |s: &str| s.replace('\0', "");
        sqlx::query(
            "INSERT INTO sandbox_outbox (connector, operation, method, path, status, summary, body, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(call.connector)
        .bind(call.operation)
        .bind(call.method)
        .bind(clean(call.path))
        .bind(i64::from(call.status))
        .bind(clean(call.summary))
        .bind(clean(call.body))
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn outbox(&self, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        Ok(sqlx::query_as::<_, OutboxRow>(
            "SELECT id, connector, operation, method, path, status, summary, body, at FROM sandbox_outbox \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn clear_outbox(&self) -> StoreResult<()> {
        sqlx::query("DELETE FROM sandbox_outbox").execute(self.pool()).await?;
        Ok(())
    }

    /// Asks the sandbox to fail the next `count` calls to `connector` this way.
    pub async fn add_sandbox_fault(&self, connector: &str, kind: &str, count: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO sandbox_faults (connector, kind, remaining, created_at) VALUES ($1, $2, $3, $4)")
            .bind(connector)
            .bind(kind)
            .bind(count)
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Spends one planned failure for `connector`, oldest first. One conditional UPDATE,
    /// so two servers never both spend the last one.
    pub async fn take_sandbox_fault(&self, connector: &str) -> StoreResult<Option<String>> {
        let kind: Option<(String,)> = sqlx::query_as(
            "UPDATE sandbox_faults SET remaining = remaining - 1 WHERE remaining > 0 AND id = \
             (SELECT id FROM sandbox_faults WHERE connector = $1 AND remaining > 0 ORDER BY id LIMIT 1) RETURNING kind",
        )
        .bind(connector)
        .fetch_optional(self.pool())
        .await?;
        sqlx::query("DELETE FROM sandbox_faults WHERE remaining <= 0").execute(self.pool()).await?;
        Ok(kind.map(|k| k.0))
    }

    pub async fn sandbox_faults(&self) -> StoreResult<Vec<FaultRow>> {
        Ok(sqlx::query_as::<_, FaultRow>(
            "SELECT id, connector, kind, remaining FROM sandbox_faults WHERE remaining > 0 ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn clear_sandbox_faults(&self) -> StoreResult<()> {
        sqlx::query("DELETE FROM sandbox_faults").execute(self.pool()).await?;
        Ok(())
    }
}
