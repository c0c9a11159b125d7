//! Flows and their versions: an edit adds a version, the flow row points at the newest.

use super::{Store, StoreError, StoreResult, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct FlowRow {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    /// `draft`, `active` or `blocked`.
    pub status: String,
    pub status_reason: Option<String>,
    pub version: i64,
    pub message_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// 1 when the flow was active as it became blocked: usable connections turn it back on.
    pub resume_when_connected: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct FlowVersionRow {
    pub flow_id: i64,
    pub version: i64,
    /// The flow definition as JSON (see `wiring::FlowDefinition`).
    pub definition: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// The selected columns, as a macro so queries stay `&'static str` (sqlx refuses
/// SQL built at run time unless asserted safe).
macro_rules! columns {
    () => {
        "id, app_id, name, status, status_reason, version, message_id, created_at, updated_at, resume_when_connected"
    };
}

impl Store {
    /// Stores a new flow at version 1, in one transaction with its definition.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_flow(
        &self,
        app_id: i64,
        name: &str,
        status: &str,
        status_reason: Option<&str>,
        definition: &str,
        message_id: Option<i64>,
        user_id: Option<i64>,
    ) -> StoreResult<FlowRow> {
        let at = now();
        let mut tx = self.pool().begin().await?;
        let flow = sqlx::query_as::<_, FlowRow>(concat!(
            "INSERT INTO flows (app_id, name, status, status_reason, version, message_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING ",
            columns!(),
            ""
        ))
        .bind(app_id)
        .bind(name)
        .bind(status)
        .bind(status_reason)
        .bind(message_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        insert_version(&mut tx, flow.id, 1, definition, user_id, at).await?;
        tx.commit().await?;
        Ok(flow)
    }

    /// Adds a version and makes it current; returns the new version number.
    pub async fn add_flow_version(
        &self,
        flow_id: i64,
        definition: &str,
        status: &str,
        status_reason: Option<&str>,
        user_id: Option<i64>,
    ) -> StoreResult<i64> {
        let at = now();
        let mut tx = self.pool().begin().await?;
        let (version,): (i64,) = sqlx::query_as(
            "UPDATE flows SET version = version + 1, status = $1, status_reason = $2, updated_at = $3 \
             WHERE id = $4 RETURNING version",
        )
        .bind(status)
        .bind(status_reason)
        .bind(at)
        .bind(flow_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        insert_version(&mut tx, flow_id, version, definition, user_id, at).await?;
        tx.commit().await?;
        Ok(version)
    }

    pub async fn set_flow_status(&self, flow_id: i64, status: &str, reason: Option<&str>) -> StoreResult<()> {
        // An active flow that becomes blocked remembers it was on; a blocked one keeps
        // remembering; any other status forgets.
        let done = sqlx::query(
            "UPDATE flows SET status = $1, status_reason = $2, updated_at = $3, resume_when_connected = \
             CASE WHEN $1 <> 'blocked' THEN 0 WHEN status = 'active' THEN 1 ELSE resume_when_connected END \
             WHERE id = $4",
        )
        .bind(status)
        .bind(reason)
        .bind(now())
        .bind(flow_id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn flow(&self, id: i64) -> StoreResult<Option<FlowRow>> {
        Ok(sqlx::query_as::<_, FlowRow>(concat!("SELECT ", columns!(), " FROM flows WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn flows_of_app(&self, app_id: i64) -> StoreResult<Vec<FlowRow>> {
        Ok(sqlx::query_as::<_, FlowRow>(concat!("SELECT ", columns!(), " FROM flows WHERE app_id = $1 ORDER BY id"))
            .bind(app_id)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn flow_version(&self, flow_id: i64, version: i64) -> StoreResult<Option<FlowVersionRow>> {
        Ok(sqlx::query_as::<_, FlowVersionRow>(
            "SELECT flow_id, version, definition, created_by, created_at FROM flow_versions \
             WHERE flow_id = $1 AND version = $2",
        )
        .bind(flow_id)
        .bind(version)
        .fetch_optional(self.pool())
        .await?)
    }
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    flow_id: i64,
    version: i64,
    definition: &str,
    user_id: Option<i64>,
    at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO flow_versions (flow_id, version, definition, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(flow_id)
    .bind(version)
    .bind(definition)
    .bind(user_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn rename_flow(&self, flow_id: i64, name: &str) -> StoreResult<()> {
        super::plain_text("a flow name", name)?;
        sqlx::query("UPDATE flows SET name = $1, updated_at = $2 WHERE id = $3")
            .bind(name)
            .bind(super::now())
            .bind(flow_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Deletes the flow with its versions, schedule and runs.
    pub async fn delete_flow(&self, flow_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM flows WHERE id = $1").bind(flow_id).execute(self.pool()).await?;
        Ok(())
    }
}
