//! Calls made with a connection (actions and proxied requests): what My integrations
//! shows as recent use. Only the outcome is kept, never a token or a request body.

use super::{Store, StoreResult};

/// One call to record.
#[derive(Clone, Debug)]
pub struct NewCall<'a> {
    pub app_id: i64,
    pub connection_id: i64,
    /// `action` or `proxy`.
    pub via: &'a str,
    /// The action id (`send_email`), for actions.
    pub operation: Option<&'a str>,
    /// The provider's HTTP status; 0 when it did not answer.
    pub status: u16,
    pub ok: bool,
    pub error: Option<&'a str>,
    pub at: i64,
}

/// A connection's recent use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentUse {
    pub calls: i64,
    pub errors: i64,
    pub last_error: Option<(String, i64)>,
}

#[derive(sqlx::FromRow)]
struct Counts {
    connection_id: i64,
    calls: i64,
    errors: i64,
}

#[derive(sqlx::FromRow)]
struct LastError {
    error: Option<String>,
    at: i64,
}

impl Store {
    pub async fn record_call(&self, call: NewCall<'_>) -> StoreResult<()> {
        let error = call.error.map(|e| e.replace('\0', ""));
        sqlx::query(
            "INSERT INTO connection_calls (app_id, connection_id, via, operation, status, ok, error, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(call.app_id)
        .bind(call.connection_id)
        .bind(call.via)
        .bind(call.operation)
        .bind(i64::from(call.status))
        .bind(i64::from(call.ok))
        .bind(error)
        .bind(call.at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Calls and errors of each of the app's connections since `since`, with the last
    /// error ever recorded (a connection that failed last week still says why).
    pub async fn recent_use(&self, app_id: i64, since: i64) -> StoreResult<Vec<(i64, RecentUse)>> {
        let counts = sqlx::query_as::<_, Counts>(
            "SELECT connection_id, COUNT(*) AS calls, SUM(CASE WHEN ok = 0 THEN 1 ELSE 0 END) AS errors \
             FROM connection_calls WHERE app_id = $1 AND at >= $2 GROUP BY connection_id",
        )
        .bind(app_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for c in counts {
            let last = sqlx::query_as::<_, LastError>(
                "SELECT error, at FROM connection_calls WHERE connection_id = $1 AND ok = 0 ORDER BY id DESC LIMIT 1",
            )
            .bind(c.connection_id)
            .fetch_optional(self.pool())
            .await?;
            let last_error = last.map(|l| (l.error.unwrap_or_default(), l.at));
            out.push((c.connection_id, RecentUse { calls: c.calls, errors: c.errors, last_error }));
        }
        Ok(out)
    }

    pub async fn purge_calls_before(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM connection_calls WHERE at < $1").bind(before).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }
}
