//! The loop that does the work, in `patchbay serve` and in `patchbay worker`: every tick,
//! record the runs of due schedules, then take queued runs (a few at a time) and run them.

use super::Runner;
use super::scheduler::sync_all;
use std::sync::Arc;
use std::time::Duration;

/// Schedules are brought in line with the flows every this many ticks (and at start).
const SYNC_EVERY: u64 = 15;

pub async fn run_forever(runner: Arc<Runner>) {
    let mut tick = tokio::time::interval(Duration::from_millis(runner.settings.tick_ms.max(50)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        if n.is_multiple_of(SYNC_EVERY)
            && let Err(e) = sync_all(&runner.store).await
        {
            tracing::warn!(error = %e, "could not bring schedules in line with the flows");
        }
        n += 1;
        if let Err(e) = runner.fire_due().await {
            tracing::warn!(error = %e, "could not record due schedules");
        }
        if let Err(e) = work_queue(&runner).await {
            tracing::warn!(error = %e, "could not take queued runs");
        }
        if let Err(e) = runner.deliver_webhooks().await {
            tracing::warn!(error = %e, "could not deliver webhooks");
        }
    }
}

/// Takes queued runs until none is left, `concurrency` at a time; how many ran.
pub async fn work_queue(runner: &Arc<Runner>) -> Result<usize, crate::store::StoreError> {
    let mut done = 0;
    loop {
        let at = crate::store::now();
        let limit = runner.settings.concurrency.max(1) as i64;
        let runs = runner.store.claim_runs(at, at + runner.settings.lease_secs, limit).await?;
        if runs.is_empty() {
            return Ok(done);
        }
        done += runs.len();
        let mut set = tokio::task::JoinSet::new();
        for run in runs {
            let runner = runner.clone();
            set.spawn(async move {
                let id = run.id;
                if let Err(e) = runner.execute(run).await {
                    tracing::warn!(run = id, error = %e, "a run could not be recorded");
                }
            });
        }
        while set.join_next().await.is_some() {}
    }
}
