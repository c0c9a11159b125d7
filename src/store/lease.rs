//! Per-flow work that comes due (a schedule's next occurrence, a trigger's next poll),
//! claimed with a lease so that however many servers share the database, one takes each
//! row: PostgreSQL skips rows another server has locked (`FOR UPDATE SKIP LOCKED`);
//! SQLite has one writer, so its UPDATE is the claim.

use super::{Backend, Store, StoreResult};
use sqlx::any::AnyRow;

/// A table of due work: its name, the column saying when a row is due, and the columns
/// a claim returns.
pub(super) struct DueWork {
    pub table: &'static str,
    pub due_at: &'static str,
    pub columns: &'static str,
}

impl Store {
    /// Leases up to `limit` rows due at `at` and not leased by another server, to `owner`
    /// until `lease_until`, most overdue first.
    pub(super) async fn claim_due<R>(
        &self,
        work: &DueWork,
        at: i64,
        lease_until: i64,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
    {
        let DueWork { table, due_at, columns } = work;
        let due = format!("{due_at} <= $1 AND (lease_until IS NULL OR lease_until < $1)");
        // A read first: most ticks find nothing due, and need no write (SQLite has one writer).
        let any_due: Option<(i64,)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT flow_id FROM {table} WHERE {due} LIMIT 1")))
                .bind(at)
                .fetch_optional(self.pool())
                .await?;
        if any_due.is_none() {
            return Ok(Vec::new());
        }
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE {table} SET lease_until = $2, lease_owner = $3 WHERE flow_id IN \
             (SELECT flow_id FROM {table} WHERE {due} ORDER BY {due_at} LIMIT $4{lock}) RETURNING {columns}"
        );
        Ok(sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(lease_until)
            .bind(owner)
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }
}
