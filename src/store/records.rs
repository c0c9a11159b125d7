//! The built-in data source's records: an app's entities as JSON rows, for the demo app
//! and any app whose backend does not answer the data-source protocol itself.

use super::{Store, StoreResult, now, plain_text};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct RecordRow {
    pub id: i64,
    pub app_id: i64,
    pub entity: String,
    /// The record's fields as a JSON object (without `id`, `created_at`, `updated_at`).
    pub data: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    pub async fn records(&self, app_id: i64, entity: &str) -> StoreResult<Vec<RecordRow>> {
        Ok(sqlx::query_as::<_, RecordRow>(
            "SELECT id, app_id, entity, data, created_at, updated_at FROM app_records \
             WHERE app_id = $1 AND LOWER(entity) = LOWER($2) ORDER BY id",
        )
        .bind(app_id)
        .bind(entity)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn record(&self, app_id: i64, id: i64) -> StoreResult<Option<RecordRow>> {
        Ok(sqlx::query_as::<_, RecordRow>(
            "SELECT id, app_id, entity, data, created_at, updated_at FROM app_records WHERE app_id = $1 AND id = $2",
        )
        .bind(app_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn add_record(&self, app_id: i64, entity: &str, data: &str) -> StoreResult<RecordRow> {
        plain_text("a record", data)?;
        let at = now();
        Ok(sqlx::query_as::<_, RecordRow>(
            "INSERT INTO app_records (app_id, entity, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
             RETURNING id, app_id, entity, data, created_at, updated_at",
        )
        .bind(app_id)
        .bind(entity)
        .bind(data)
        .bind(at)
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn update_record(&self, app_id: i64, id: i64, data: &str) -> StoreResult<Option<RecordRow>> {
        plain_text("a record", data)?;
        Ok(sqlx::query_as::<_, RecordRow>(
            "UPDATE app_records SET data = $1, updated_at = $2 WHERE app_id = $3 AND id = $4 \
             RETURNING id, app_id, entity, data, created_at, updated_at",
        )
        .bind(data)
        .bind(now())
        .bind(app_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn delete_record(&self, app_id: i64, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM app_records WHERE app_id = $1 AND id = $2")
            .bind(app_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
