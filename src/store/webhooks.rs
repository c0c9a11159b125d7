//! Outgoing webhooks waiting to be delivered, claimed with a lease like runs.

use super::{Backend, Store, StoreResult, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub app_id: i64,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, app_id, event, payload, status, attempts, last_error, created_at, delivered_at"
    };
}

impl Store {
    /// Queues an event for the app's webhook; nothing when the app has none.
    pub async fn enqueue_webhook(&self, app_id: i64, event: &str, payload: &str) -> StoreResult<()> {
        let at = now();
        sqlx::query(
            "INSERT INTO webhook_deliveries (app_id, event, payload, status, next_attempt_at, created_at) \
             SELECT id, $2, $3, 'pending', $4, $4 FROM apps WHERE id = $1 AND webhook_url IS NOT NULL",
        )
        .bind(app_id)
        .bind(event)
        .bind(payload)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn claim_deliveries(
        &self,
        at: i64,
        lease_until: i64,
        limit: i64,
    ) -> StoreResult<Vec<(DeliveryRow, Option<String>)>> {
        let pick = match self.backend() {
            Backend::Postgres => {
                "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
                 AND (lease_until IS NULL OR lease_until < $1) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
                 AND (lease_until IS NULL OR lease_until < $1) ORDER BY id LIMIT $3"
            }
        };
        let sql = format!(
            "UPDATE webhook_deliveries SET lease_until = $2, attempts = attempts + 1 WHERE id IN ({pick}) RETURNING {}",
            columns!()
        );
        let rows = sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for row in rows {
            let (url,): (Option<String>,) = sqlx::query_as("SELECT webhook_url FROM apps WHERE id = $1")
                .bind(row.app_id)
                .fetch_one(self.pool())
                .await?;
            out.push((row, url));
        }
        Ok(out)
    }

    /// Records an attempt: delivered, to try again at `retry_at`, or given up.
    pub async fn delivery_attempted(&self, id: i64, error: Option<&str>, retry_at: Option<i64>) -> StoreResult<()> {
        let status = match (error, retry_at) {
            (None, _) => "delivered",
            (Some(_), Some(_)) => "pending",
            (Some(_), None) => "failed",
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at), \
             lease_until = NULL, delivered_at = CASE WHEN $1 = 'delivered' THEN $4 ELSE NULL END WHERE id = $5",
        )
        .bind(status)
        .bind(error)
        .bind(retry_at)
        .bind(now())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn deliveries_of_app(&self, app_id: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>> {
        Ok(sqlx::query_as::<_, DeliveryRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM webhook_deliveries WHERE app_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(app_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn set_app_webhook(&self, app_id: i64, url: Option<&str>) -> StoreResult<()> {
        sqlx::query("UPDATE apps SET webhook_url = $1 WHERE id = $2")
            .bind(url)
            .bind(app_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn app_webhook(&self, app_id: i64) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT webhook_url FROM apps WHERE id = $1")
            .bind(app_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|(u,)| u))
    }
}
