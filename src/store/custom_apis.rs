//! Custom API rows: an API an editor imported into one app from an OpenAPI document. The
//! secret is not here: it is the sealed token of the app's shared connection with the
//! same connector id, so that the action runner sends it as it sends any token.

use super::{Store, StoreResult, conflict_or, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CustomApiRow {
    pub id: i64,
    pub app_id: i64,
    /// `custom_<slug>`: the connector id its actions and proxy calls use.
    pub connector: String,
    pub name: String,
    pub base_url: String,
    /// The chosen operations and how the secret is sent (`custom::spec::ApiSpec`, JSON).
    pub spec: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, app_id, connector, name, base_url, spec, created_by, created_at, updated_at"
    };
}

impl Store {
    pub async fn insert_custom_api(
        &self,
        app_id: i64,
        connector: &str,
        name: &str,
        base_url: &str,
        spec: &str,
        created_by: i64,
    ) -> StoreResult<CustomApiRow> {
        sqlx::query_as::<_, CustomApiRow>(concat!(
            "INSERT INTO custom_apis (app_id, connector, name, base_url, spec, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ",
            columns!()
        ))
        .bind(app_id)
        .bind(connector)
        .bind(name)
        .bind(base_url)
        .bind(spec)
        .bind(created_by)
        .bind(now())
        .fetch_one(self.pool())
        .await
        .map_err(|e| conflict_or(e, "this app already has a custom API with that name"))
    }

    pub async fn custom_api(&self, app_id: i64, connector: &str) -> StoreResult<Option<CustomApiRow>> {
        Ok(sqlx::query_as::<_, CustomApiRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM custom_apis WHERE app_id = $1 AND connector = $2"
        ))
        .bind(app_id)
        .bind(connector)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn custom_api_by_id(&self, app_id: i64, id: i64) -> StoreResult<Option<CustomApiRow>> {
        Ok(sqlx::query_as::<_, CustomApiRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM custom_apis WHERE app_id = $1 AND id = $2"
        ))
        .bind(app_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn custom_apis_of_app(&self, app_id: i64) -> StoreResult<Vec<CustomApiRow>> {
        Ok(sqlx::query_as::<_, CustomApiRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM custom_apis WHERE app_id = $1 ORDER BY name, id"
        ))
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Deletes the API and its connection (its sealed secret) together.
    pub async fn delete_custom_api(&self, app_id: i64, id: i64) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let connector: Option<(String,)> =
            sqlx::query_as("DELETE FROM custom_apis WHERE app_id = $1 AND id = $2 RETURNING connector")
                .bind(app_id)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((connector,)) = connector else { return Ok(false) };
        sqlx::query("DELETE FROM connections WHERE app_id = $1 AND connector = $2")
            .bind(app_id)
            .bind(&connector)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
