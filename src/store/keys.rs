//! App keys: what the host's backend presents to the App API. Only a key's SHA-256 is
//! kept (a key is 256 random bits, so a fast hash loses nothing), with its last
//! characters to tell keys apart.

use super::{Store, StoreResult, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AppKeyRow {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub hint: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, app_id, name, hint, created_by, created_at, last_used_at, revoked_at"
    };
}

impl Store {
    pub async fn create_app_key(
        &self,
        app_id: i64,
        name: &str,
        key_hash: &str,
        hint: &str,
        created_by: Option<i64>,
    ) -> StoreResult<AppKeyRow> {
        Ok(sqlx::query_as::<_, AppKeyRow>(concat!(
            "INSERT INTO app_keys (app_id, name, key_hash, hint, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            columns!()
        ))
        .bind(app_id)
        .bind(name)
        .bind(key_hash)
        .bind(hint)
        .bind(created_by)
        .bind(now())
        .fetch_one(self.pool())
        .await?)
    }

    /// A key that is not revoked, found by its hash; its use is recorded at the same time.
    pub async fn use_app_key(&self, key_hash: &str, at: i64) -> StoreResult<Option<AppKeyRow>> {
        Ok(sqlx::query_as::<_, AppKeyRow>(concat!(
            "UPDATE app_keys SET last_used_at = $1 WHERE key_hash = $2 AND revoked_at IS NULL RETURNING ",
            columns!()
        ))
        .bind(at)
        .bind(key_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn app_keys(&self, app_id: i64) -> StoreResult<Vec<AppKeyRow>> {
        Ok(sqlx::query_as::<_, AppKeyRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM app_keys WHERE app_id = $1 ORDER BY id"
        ))
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn revoke_app_key(&self, app_id: i64, id: i64, at: i64) -> StoreResult<Option<AppKeyRow>> {
        Ok(sqlx::query_as::<_, AppKeyRow>(concat!(
            "UPDATE app_keys SET revoked_at = $1 WHERE app_id = $2 AND id = $3 AND revoked_at IS NULL RETURNING ",
            columns!()
        ))
        .bind(at)
        .bind(app_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }
}
