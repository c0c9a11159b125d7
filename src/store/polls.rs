//! Connector triggers that poll: which active flows are polled when (claimed with a lease,
//! like schedules), the ids each flow has seen (its cursor: one row per item, so an item
//! starts one run however many servers poll), and the sandbox's own items.

use super::lease::DueWork;
use super::runs::insert_run;
use super::{NewRun, Store, StoreResult};
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct PollRow {
    pub flow_id: i64,
    pub trigger_key: String,
    pub next_poll_at: i64,
    /// 0 until the first poll has recorded what was there.
    pub primed: i64,
    pub last_polled_at: Option<i64>,
    pub last_error: Option<String>,
}

const POLL_COLUMNS: &str = "flow_id, trigger_key, next_poll_at, primed, last_polled_at, last_error";

impl Store {
    /// Makes the flow polled for this trigger. A new trigger (or new inputs) starts over
    /// with a first poll that records without starting runs; the same one keeps its state.
    pub async fn put_poll(&self, flow_id: i64, trigger_key: &str, next_poll_at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO flow_polls (flow_id, trigger_key, next_poll_at) VALUES ($1, $2, $3) \
             ON CONFLICT (flow_id) DO UPDATE SET trigger_key = excluded.trigger_key, \
             next_poll_at = excluded.next_poll_at, primed = 0, last_error = NULL \
             WHERE flow_polls.trigger_key <> excluded.trigger_key",
        )
        .bind(flow_id)
        .bind(trigger_key)
        .bind(next_poll_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Moves a flow's next poll (tests make it due; nothing else moves it by hand).
    pub async fn set_next_poll(&self, flow_id: i64, next_poll_at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE flow_polls SET next_poll_at = $1 WHERE flow_id = $2")
            .bind(next_poll_at)
            .bind(flow_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn drop_poll(&self, flow_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM flow_polls WHERE flow_id = $1").bind(flow_id).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn poll(&self, flow_id: i64) -> StoreResult<Option<PollRow>> {
        let sql = format!("SELECT {POLL_COLUMNS} FROM flow_polls WHERE flow_id = $1");
        Ok(sqlx::query_as::<_, PollRow>(sqlx::AssertSqlSafe(sql)).bind(flow_id).fetch_optional(self.pool()).await?)
    }

    /// Polls of flows that are no longer active go (their seen ids stay).
    pub async fn drop_inactive_polls(&self) -> StoreResult<u64> {
        let done =
            sqlx::query("DELETE FROM flow_polls WHERE flow_id IN (SELECT id FROM flows WHERE status <> 'active')")
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected())
    }

    /// Claims up to `limit` polls that are due and not leased by another server.
    pub async fn claim_due_polls(
        &self,
        at: i64,
        lease_until: i64,
        owner: &str,
        limit: i64,
    ) -> StoreResult<Vec<PollRow>> {
        let polls = DueWork { table: "flow_polls", due_at: "next_poll_at", columns: POLL_COLUMNS };
        self.claim_due(&polls, at, lease_until, owner, limit).await
    }

    /// Sets the next poll, what this one found out, and lets go of the lease, if this
    /// server still holds it.
    pub async fn finish_poll(
        &self,
        flow_id: i64,
        owner: &str,
        next_poll_at: i64,
        primed: bool,
        last_error: Option<&str>,
        at: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE flow_polls SET next_poll_at = $1, primed = $2, last_error = $3, last_polled_at = $4, \
             lease_until = NULL, lease_owner = NULL WHERE flow_id = $5 AND lease_owner = $6",
        )
        .bind(next_poll_at)
        .bind(i64::from(primed))
        .bind(last_error)
        .bind(at)
        .bind(flow_id)
        .bind(owner)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Which of these item ids the flow has already seen.
    pub async fn seen_items(&self, flow_id: i64, ids: &[String]) -> StoreResult<HashSet<String>> {
        let mut seen = HashSet::new();
        for chunk in ids.chunks(200) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql =
                format!("SELECT item_id FROM poll_items WHERE flow_id = $1 AND item_id IN ({})", marks.join(", "));
            let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql)).bind(flow_id);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            seen.extend(q.fetch_all(self.pool()).await?.into_iter().map(|(id,)| id));
        }
        Ok(seen)
    }

    /// The first poll: these items were there before the flow was on; none starts a run.
    pub async fn mark_items_seen(&self, flow_id: i64, ids: &[String], at: i64) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        for id in ids {
            sqlx::query(
                "INSERT INTO poll_items (flow_id, item_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(flow_id)
            .bind(id.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records a new item and the run it starts, together. `None` when the item was
    /// already seen (another server got there first): no run then.
    pub async fn add_polled_run(&self, item_id: &str, run: NewRun<'_>) -> StoreResult<Option<i64>> {
        let mut tx = self.pool().begin().await?;
        let fresh: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO poll_items (flow_id, item_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING \
             RETURNING flow_id",
        )
        .bind(run.flow_id)
        .bind(item_id)
        .bind(run.at)
        .fetch_optional(&mut *tx)
        .await?;
        if fresh.is_none() {
            tx.rollback().await?;
            return Ok(None);
        }
        let Some((run_id,)) = insert_run(&run).fetch_optional(&mut *tx).await? else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query("UPDATE poll_items SET run_id = $1 WHERE flow_id = $2 AND item_id = $3")
            .bind(run_id)
            .bind(run.flow_id)
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(run_id))
    }

    /// An item for the sandbox to list; its row id.
    pub async fn add_sandbox_item(
        &self,
        connector: &str,
        trigger_id: &str,
        item: &str,
        matches: &str,
        at: i64,
    ) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sandbox_items (connector, trigger_id, item, matches, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(connector)
        .bind(trigger_id)
        .bind(item)
        .bind(matches)
        .bind(at)
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// The sandbox's added items of a trigger, newest first: `(item, matches)` as JSON text.
    pub async fn sandbox_items(&self, connector: &str, trigger_id: &str) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT item, matches FROM sandbox_items WHERE connector = $1 AND trigger_id = $2 ORDER BY id DESC LIMIT 500",
        )
        .bind(connector)
        .bind(trigger_id)
        .fetch_all(self.pool())
        .await?)
    }
}
