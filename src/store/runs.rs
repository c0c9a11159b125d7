//! Flow runs and the schedules that start them. Work is claimed in the database with a
//! lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so servers take different rows without
//! waiting on each other; SQLite: one writer at a time makes the same conditional update
//! atomic), and a scheduled occurrence is a unique row, so it runs once however many
//! servers share the database.

use super::lease::DueWork;
use super::{Backend, Store, StoreResult};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ScheduleRow {
    pub flow_id: i64,
    pub cron: String,
    pub time_zone: String,
    pub next_run_at: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub flow_id: i64,
    pub app_id: i64,
    pub flow_version: i64,
    pub started_by: String,
    pub occurrence_at: Option<i64>,
    pub status: String,
    pub is_test: i64,
    pub record: Option<String>,
    pub previous: Option<String>,
    pub steps: String,
    pub error: Option<String>,
    pub attempts: i64,
    pub not_before: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// A run to record.
pub struct NewRun<'a> {
    pub flow_id: i64,
    pub app_id: i64,
    pub flow_version: i64,
    pub started_by: &'a str,
    pub occurrence_at: Option<i64>,
    /// `queued`, `skipped` for an occurrence missed beyond the catch-up window, or
    /// `failed` for a poll the provider refused (recorded finished, so the history says so).
    pub status: &'a str,
    pub is_test: bool,
    pub record: Option<&'a str>,
    pub previous: Option<&'a str>,
    pub error: Option<&'a str>,
    pub at: i64,
}

macro_rules! run_columns {
    () => {
        "id, flow_id, app_id, flow_version, started_by, occurrence_at, status, is_test, record, previous, steps, error, \
         attempts, not_before, created_at, started_at, finished_at"
    };
}

impl Store {
    /// Sets when a scheduled flow runs next (keeping any lease).
    pub async fn put_schedule(&self, flow_id: i64, cron: &str, time_zone: &str, next_run_at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO flow_schedules (flow_id, cron, time_zone, next_run_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (flow_id) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, \
             next_run_at = excluded.next_run_at",
        )
        .bind(flow_id)
        .bind(cron)
        .bind(time_zone)
        .bind(next_run_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn drop_schedule(&self, flow_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM flow_schedules WHERE flow_id = $1").bind(flow_id).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn schedule(&self, flow_id: i64) -> StoreResult<Option<ScheduleRow>> {
        Ok(sqlx::query_as::<_, ScheduleRow>(
            "SELECT flow_id, cron, time_zone, next_run_at FROM flow_schedules WHERE flow_id = $1",
        )
        .bind(flow_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Claims up to `limit` schedules that are due and not leased by another server.
    pub async fn claim_due_schedules(
        &self,
        at: i64,
        lease_until: i64,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<ScheduleRow>> {
        let schedules = DueWork {
            table: "flow_schedules",
            due_at: "next_run_at",
            columns: "flow_id, cron, time_zone, next_run_at",
        };
        self.claim_due(&schedules, at, lease_until, owner, limit).await
    }

    /// Moves a claimed schedule to its next occurrence and lets go of the lease, if this
    /// server still holds it.
    pub async fn advance_schedule(&self, flow_id: i64, owner: &str, next_run_at: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE flow_schedules SET next_run_at = $1, lease_until = NULL, lease_owner = NULL \
             WHERE flow_id = $2 AND lease_owner = $3",
        )
        .bind(next_run_at)
        .bind(flow_id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a run. `None` when its occurrence is already recorded (another server, or
    /// an earlier attempt, got there first).
    pub async fn add_run(&self, r: NewRun<'_>) -> StoreResult<Option<i64>> {
        Ok(insert_run(&r).fetch_optional(self.pool()).await?.map(|(id,)| id))
    }

    /// Claims queued runs whose time has come (and running ones whose server went away).
    pub async fn claim_runs(&self, at: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<RunRow>> {
        let pick = match self.backend() {
            Backend::Postgres => {
                "SELECT id FROM runs WHERE (status = 'queued' AND not_before <= $1) OR (status = 'running' AND lease_until < $1) \
                 ORDER BY not_before LIMIT $3 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT id FROM runs WHERE (status = 'queued' AND not_before <= $1) OR (status = 'running' AND lease_until < $1) \
                 ORDER BY not_before LIMIT $3"
            }
        };
        let sql = format!(
            "UPDATE runs SET status = 'running', lease_until = $2, attempts = attempts + 1, \
             started_at = COALESCE(started_at, $1) WHERE id IN ({pick}) RETURNING {}",
            run_columns!()
        );
        Ok(sqlx::query_as::<_, RunRow>(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    /// Ends a run (`succeeded` or `failed`) with what its steps did.
    pub async fn finish_run(
        &self,
        id: i64,
        status: &str,
        steps: &str,
        error: Option<&str>,
        at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE runs SET status = $1, steps = $2, error = $3, finished_at = $4, lease_until = NULL WHERE id = $5",
        )
        .bind(status)
        .bind(steps)
        .bind(error)
        .bind(at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Keeps what the steps did so far, so an interrupted run resumes after its last
    /// finished step instead of repeating it.
    pub async fn save_run_steps(&self, id: i64, steps: &str) -> StoreResult<()> {
        sqlx::query("UPDATE runs SET steps = $1 WHERE id = $2").bind(steps).bind(id).execute(self.pool()).await?;
        Ok(())
    }

    /// Puts a run back in the queue for another attempt after `not_before`.
    pub async fn retry_run(&self, id: i64, steps: &str, error: &str, not_before: i64) -> StoreResult<()> {
        sqlx::query("UPDATE runs SET status = 'queued', steps = $1, error = $2, not_before = $3, lease_until = NULL WHERE id = $4")
            .bind(steps)
            .bind(error)
            .bind(not_before)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn run(&self, id: i64) -> StoreResult<Option<RunRow>> {
        Ok(sqlx::query_as::<_, RunRow>(concat!("SELECT ", run_columns!(), " FROM runs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// A flow's latest runs, newest first.
    pub async fn runs_of_flow(&self, flow_id: i64, limit: i64) -> StoreResult<Vec<RunRow>> {
        Ok(sqlx::query_as::<_, RunRow>(concat!(
            "SELECT ",
            run_columns!(),
            " FROM runs WHERE flow_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(flow_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// The latest scheduled occurrence recorded for a flow (what `period_start` means).
    pub async fn last_occurrence(&self, flow_id: i64, before: i64) -> StoreResult<Option<i64>> {
        let (at,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(occurrence_at) FROM runs WHERE flow_id = $1 AND occurrence_at < $2")
                .bind(flow_id)
                .bind(before)
                .fetch_one(self.pool())
                .await?;
        Ok(at)
    }

    pub async fn purge_runs_before(&self, before: i64) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM runs WHERE created_at < $1 AND status IN ('succeeded', 'failed', 'skipped')")
                .bind(before)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    /// Where the app's own records live, and the sealed secret that signs calls there.
    pub async fn app_data_source(&self, app_id: i64) -> StoreResult<(Option<String>, Option<Vec<u8>>)> {
        let row: Option<(Option<String>, Option<Vec<u8>>)> =
            sqlx::query_as("SELECT data_url, sealed_data_secret FROM apps WHERE id = $1")
                .bind(app_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.unwrap_or((None, None)))
    }

    pub async fn set_app_data_source(
        &self,
        app_id: i64,
        url: Option<&str>,
        sealed_secret: Option<&[u8]>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE apps SET data_url = $1, sealed_data_secret = COALESCE($2, sealed_data_secret) WHERE id = $3",
        )
        .bind(url)
        .bind(sealed_secret)
        .bind(app_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Active flows that should have a schedule row but have none (their trigger decides).
    pub async fn active_flows_without_schedule(&self) -> StoreResult<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT f.id FROM flows f LEFT JOIN flow_schedules s ON s.flow_id = f.id \
             WHERE f.status = 'active' AND s.flow_id IS NULL ORDER BY f.id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Schedules of flows that are no longer active go.
    pub async fn drop_inactive_schedules(&self) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM flow_schedules WHERE flow_id IN (SELECT id FROM flows WHERE status <> 'active')")
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }
}

/// The insert of `add_run`, to run on the pool or inside a transaction.
pub(super) fn insert_run<'q>(
    r: &'q NewRun<'q>,
) -> sqlx::query::QueryAs<'q, sqlx::Any, (i64,), sqlx::any::AnyArguments> {
    sqlx::query_as(
        "INSERT INTO runs (flow_id, app_id, flow_version, started_by, occurrence_at, status, is_test, record, previous, \
         error, not_before, created_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, CASE WHEN $6 IN ('skipped', 'failed') THEN $11 ELSE NULL END) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(r.flow_id)
    .bind(r.app_id)
    .bind(r.flow_version)
    .bind(r.started_by)
    .bind(r.occurrence_at)
    .bind(r.status)
    .bind(i64::from(r.is_test))
    .bind(r.record)
    .bind(r.previous)
    .bind(r.error)
    .bind(r.at)
}
