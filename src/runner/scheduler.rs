//! Schedules: which active flows run when, and turning each due occurrence into one run.
//! A server claims due schedules with a lease, records each occurrence as a run (unique
//! per flow and occurrence, so two servers cannot both record it), and moves the schedule
//! on. After downtime, the latest missed occurrence runs once if it is within the
//! catch-up window; older ones are recorded as skipped, so the history says what happened.

use super::Runner;
use super::schedule::Schedule;
use crate::store::{NewRun, Store, StoreError, now};
use crate::wiring::{self, FlowTrigger};

/// Missed occurrences recorded as skipped, at most, per schedule and tick.
const MAX_SKIPPED: usize = 20;

/// Makes the flow's schedule match it: active with a schedule trigger → the next
/// occurrence (kept when the schedule did not change); otherwise none.
pub async fn sync_flow(store: &Store, flow_id: i64) -> Result<Option<i64>, StoreError> {
    let Some(flow) = wiring::load(store, flow_id).await.ok().flatten() else {
        store.drop_schedule(flow_id).await?;
        super::poll::sync(store, flow_id, None).await?;
        return Ok(None);
    };
    super::poll::sync(store, flow_id, Some(&flow)).await?;
    let FlowTrigger::Schedule(trigger) = &flow.definition.trigger else {
        store.drop_schedule(flow_id).await?;
        return Ok(None);
    };
    if flow.row.status != "active" {
        store.drop_schedule(flow_id).await?;
        return Ok(None);
    }
    let Ok(schedule) = Schedule::parse(&trigger.cron, &trigger.time_zone) else {
        store.drop_schedule(flow_id).await?;
        return Ok(None);
    };
    if let Some(existing) = store.schedule(flow_id).await?
        && existing.cron == trigger.cron
        && existing.time_zone == trigger.time_zone
    {
        return Ok(Some(existing.next_run_at));
    }
    let Some(next) = schedule.next_after(now()) else { return Ok(None) };
    store.put_schedule(flow_id, &trigger.cron, &trigger.time_zone, next).await?;
    Ok(Some(next))
}

/// Turns a flow on (when it is ready) and schedules it: what Activate and the API do.
pub async fn activate(
    store: &Store,
    catalog: &crate::catalog::Catalog,
    flow_id: i64,
) -> wiring::WiringResult<(wiring::FlowStatus, wiring::Report)> {
    let outcome = wiring::activate(store, catalog, flow_id).await?;
    sync_flow(store, flow_id).await?;
    Ok(outcome)
}

/// Turns a flow off and drops its schedule (and its polling).
pub async fn pause(store: &Store, catalog: &crate::catalog::Catalog, flow_id: i64) -> wiring::WiringResult<()> {
    wiring::deactivate(store, catalog, flow_id).await?;
    sync_flow(store, flow_id).await?;
    Ok(())
}

/// Brings every schedule in line with the flows (at start, and now and then).
pub async fn sync_all(store: &Store) -> Result<(), StoreError> {
    store.drop_inactive_schedules().await?;
    store.drop_inactive_polls().await?;
    for flow_id in store.active_flows_without_schedule().await? {
        sync_flow(store, flow_id).await?;
    }
    Ok(())
}

impl Runner {
    /// Records the runs of every due occurrence this server could claim; how many.
    pub async fn fire_due(&self) -> Result<usize, StoreError> {
        let at = now();
        let due = self.store.claim_due_schedules(at, at + self.settings.lease_secs, &self.owner, 200).await?;
        let mut queued = 0;
        for s in due {
            let Some(flow) = self.store.flow(s.flow_id).await?.filter(|f| f.status == "active") else {
                self.store.drop_schedule(s.flow_id).await?;
                continue;
            };
            let Ok(schedule) = Schedule::parse(&s.cron, &s.time_zone) else {
                self.store.drop_schedule(s.flow_id).await?;
                continue;
            };
            let mut missed = vec![s.next_run_at];
            while let Some(n) = schedule.next_after(*missed.last().unwrap_or(&at)).filter(|n| *n <= at) {
                missed.push(n);
                if missed.len() > MAX_SKIPPED + 1 {
                    missed.remove(0);
                }
            }
            let latest = missed.last().copied().unwrap_or(s.next_run_at);
            for occurrence in missed {
                let runs_now = occurrence == latest && at - occurrence <= self.settings.catch_up_secs;
                let run = NewRun {
                    flow_id: s.flow_id,
                    app_id: flow.app_id,
                    flow_version: flow.version,
                    started_by: "schedule",
                    occurrence_at: Some(occurrence),
                    status: if runs_now { "queued" } else { "skipped" },
                    is_test: false,
                    record: None,
                    previous: None,
                    error: (!runs_now).then_some("Missed while patchbay was not running."),
                    at,
                };
                if self.store.add_run(run).await?.is_some() && runs_now {
                    queued += 1;
                }
            }
            let next = schedule.next_after(at).unwrap_or(i64::MAX);
            self.store.advance_schedule(s.flow_id, &self.owner, next).await?;
        }
        Ok(queued)
    }
}
