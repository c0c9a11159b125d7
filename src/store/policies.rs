//! Connector policy rows: per app and connector, whether shared and app-user connections
//! are allowed. Only what differs from "everything allowed" is stored.

use super::{Store, StoreResult, now};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PolicyRow {
    pub connector: String,
    /// 1 allowed, 0 blocked.
    pub shared: i64,
    pub app_user: i64,
}

impl Store {
    /// The app's connectors with something blocked, by connector id.
    #[tracing::instrument(skip_all, fields(app = app_id))]
    pub async fn connector_policies(&self, app_id: i64) -> StoreResult<Vec<PolicyRow>> {
        of_app(self.pool(), app_id).await
    }

    /// One connector's row, if anything of it is blocked.
    pub async fn connector_policy(&self, app_id: i64, connector: &str) -> StoreResult<Option<PolicyRow>> {
        Ok(sqlx::query_as::<_, PolicyRow>(
            "SELECT connector, shared, app_user FROM connector_policies WHERE app_id = $1 AND connector = $2",
        )
        .bind(app_id)
        .bind(connector)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Stores what is allowed; both allowed removes the row, since that is the default.
    #[tracing::instrument(skip_all, fields(app = app_id, connector))]
    pub async fn set_connector_policy(
        &self,
        app_id: i64,
        connector: &str,
        shared: bool,
        app_user: bool,
        user_id: Option<i64>,
    ) -> StoreResult<()> {
        if shared && app_user {
            sqlx::query("DELETE FROM connector_policies WHERE app_id = $1 AND connector = $2")
                .bind(app_id)
                .bind(connector)
                .execute(self.pool())
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO connector_policies (app_id, connector, shared, app_user, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (app_id, connector) DO UPDATE SET \
             shared = excluded.shared, app_user = excluded.app_user, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(connector)
        .bind(i64::from(shared))
        .bind(i64::from(app_user))
        .bind(user_id)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// The app's policy rows, on the pool or on a connection that serves several reads.
pub(super) async fn of_app<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    app_id: i64,
) -> StoreResult<Vec<PolicyRow>> {
    Ok(sqlx::query_as::<_, PolicyRow>(
        "SELECT connector, shared, app_user FROM connector_policies WHERE app_id = $1 ORDER BY connector",
    )
    .bind(app_id)
    .fetch_all(db)
    .await?)
}
