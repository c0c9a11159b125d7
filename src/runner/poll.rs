//! Connector triggers that poll their provider ("New email with the label Invoices").
//! Every `runner.poll_secs` each active flow with one is claimed with a lease (like a
//! schedule), the provider lists its newest items through the flow's shared connection,
//! and each item not seen before starts one run with the item as `trigger.record`. The
//! first poll of a flow only records what is there, so turning a flow on never replays the
//! inbox. The seen ids are the cursor; their primary key (flow, item) is what makes an item
//! start once however many servers poll. A provider's refusal is kept in the flow's
//! history in words and tried again next time; a connection that needs a person blocks the
//! flow, as a run's action step does.

use super::Runner;
use super::actions::{PollCall, StepFailure};
use crate::store::{NewRun, PollRow, Store, StoreError, now};
use crate::wiring::{self, ConnectorTrigger, FlowTrigger, StoredFlow as Flow};
use futures::StreamExt;
use futures::future::BoxFuture;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// Polls claimed at most per tick and server.
const CLAIM: i64 = 50;

/// What identifies a flow's polling: its trigger, connection and inputs. When it changes,
/// the flow starts over with a first poll that starts nothing.
pub fn trigger_key(t: &ConnectorTrigger) -> String {
    let config = serde_json::to_string(&t.config).unwrap_or_default();
    let connection = serde_json::to_string(&t.connection).unwrap_or_default();
    format!("{}|{connection}|{config}", t.operation)
}

/// Makes the flow's poll match it: polled (now, the first time) when it is active with a
/// connector trigger; otherwise not.
pub async fn sync(store: &Store, flow_id: i64, flow: Option<&Flow>) -> Result<(), StoreError> {
    match flow.map(|f| (&f.definition.trigger, f.row.status == "active")) {
        Some((FlowTrigger::Connector(t), true)) => store.put_poll(flow_id, &trigger_key(t), now()).await,
        _ => store.drop_poll(flow_id).await,
    }
}

/// The loop beside the schedule loop, in `patchbay serve` and `patchbay worker`: a slow
/// provider holds up other polls, never the schedules or the queue.
pub async fn poll_forever(runner: Arc<Runner>) {
    let mut tick = tokio::time::interval(Duration::from_millis(runner.settings.tick_ms.max(50)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = runner.poll_due().await {
            tracing::warn!(error = %e, "could not poll connector triggers");
        }
    }
}

impl Runner {
    /// Polls every due flow this server could claim; how many runs that started.
    pub async fn poll_due(&self) -> Result<usize, StoreError> {
        let at = now();
        let due = self.store.claim_due_polls(at, at + self.settings.lease_secs, &self.owner, CLAIM).await?;
        // Up to `runner.concurrency` providers are asked at once: one slow provider does not
        // hold up the other flows' polls.
        let polls: Vec<BoxFuture<'_, Result<usize, StoreError>>> =
            due.iter().map(|p| Box::pin(self.poll_one(p)) as BoxFuture<'_, _>).collect();
        let polled: Vec<Result<usize, StoreError>> =
            futures::stream::iter(polls).buffer_unordered(self.settings.concurrency.max(1)).collect().await;
        polled.into_iter().sum()
    }

    async fn poll_one(&self, p: &PollRow) -> Result<usize, StoreError> {
        let flow = wiring::load(&self.store, p.flow_id).await.ok().flatten().filter(|f| f.row.status == "active");
        let trigger = flow.as_ref().and_then(|f| match &f.definition.trigger {
            FlowTrigger::Connector(t) => Some(t),
            _ => None,
        });
        let (Some(flow), Some(trigger)) = (&flow, trigger) else {
            self.store.drop_poll(p.flow_id).await?;
            return Ok(0);
        };
        let inputs: Map<String, Value> = trigger.config.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let call = PollCall {
            app_id: flow.row.app_id,
            operation: &trigger.operation,
            connection: &trigger.connection,
            inputs: &inputs,
        };
        let listed = match self.actions.list_items(&call).await {
            Ok(listed) => listed,
            Err(failure) => return self.poll_failed(flow, p, &failure).await.map(|()| 0),
        };
        let ids: Vec<String> = listed.iter().map(|i| i.id.clone()).collect();
        let next = now() + self.settings.poll_secs.max(1);
        if p.primed == 0 {
            self.store.mark_items_seen(p.flow_id, &ids, now()).await?;
            self.store.finish_poll(p.flow_id, &self.owner, next, true, None, now()).await?;
            return Ok(0);
        }
        let seen = self.store.seen_items(p.flow_id, &ids).await?;
        let mut started = 0;
        // Providers list the newest first: the oldest new item runs first.
        for item in listed.iter().rev().filter(|i| !seen.contains(&i.id)) {
            let (record, skipped) = match self.actions.item_record(&call, item).await {
                Ok(record) => (Some(record.to_string()), None),
                // Not marked seen: the next poll tries this item again.
                Err(failure) if failure.transient || failure.needs_reconnect.is_some() => {
                    return self.poll_failed(flow, p, &failure).await.map(|()| started);
                }
                // The provider's item itself is unreadable: said once, and the others go on.
                Err(failure) => (None, Some(format!("A new item ({}) was skipped: {}", item.id, failure.message))),
            };
            let run = NewRun {
                flow_id: p.flow_id,
                app_id: flow.row.app_id,
                flow_version: flow.row.version,
                started_by: if skipped.is_some() { "poll" } else { "connector" },
                occurrence_at: None,
                status: if skipped.is_some() { "failed" } else { "queued" },
                is_test: false,
                record: record.as_deref(),
                previous: None,
                error: skipped.as_deref(),
                at: now(),
            };
            if self.store.add_polled_run(&item.id, run).await?.is_some() && skipped.is_none() {
                started += 1;
            }
        }
        self.store.finish_poll(p.flow_id, &self.owner, next, true, None, now()).await?;
        Ok(started)
    }

    /// A poll the provider refused: kept in the flow's history (once per distinct error,
    /// announced as `run.failed` like any failed run) and tried again next interval; a
    /// connection that needs a person blocks the flow.
    async fn poll_failed(&self, flow: &Flow, p: &PollRow, failure: &StepFailure) -> Result<(), StoreError> {
        let message = format!("Checking for new items failed: {}", failure.message);
        let repeated = p.last_error.as_deref() == Some(message.as_str());
        if !repeated || failure.needs_reconnect.is_some() {
            let run = NewRun {
                flow_id: p.flow_id,
                app_id: flow.row.app_id,
                flow_version: flow.row.version,
                started_by: "poll",
                occurrence_at: None,
                status: "failed",
                is_test: false,
                record: None,
                previous: None,
                error: Some(&message),
                at: now(),
            };
            if let Some(run_id) = self.store.add_run(run).await? {
                let data = serde_json::json!({"run_id": run_id, "flow_id": p.flow_id, "flow": flow.definition.name, "error": message});
                super::webhooks::emit(&self.store, flow.row.app_id, "run.failed", data).await?;
            }
        }
        if let Some(reason) = &failure.needs_reconnect {
            self.store.set_flow_status(p.flow_id, "blocked", Some(reason)).await?;
            self.store.drop_poll(p.flow_id).await?;
            return Ok(());
        }
        let wait = failure.retry_after.map_or(0, |s| i64::try_from(s).unwrap_or(i64::MAX));
        let next = now() + self.settings.poll_secs.max(1).max(wait);
        self.store.finish_poll(p.flow_id, &self.owner, next, p.primed != 0, Some(&message), now()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trigger(config: Value) -> ConnectorTrigger {
        serde_json::from_value(json!({"operation": "gmail.new_email",
            "connection": {"connector": "gmail", "kind": "shared"}, "config": config, "scopes": []}))
        .unwrap()
    }

    #[test]
    fn new_inputs_make_a_new_trigger_key_and_the_same_ones_keep_it() {
        let invoices = trigger(json!({"label": "Invoices", "from": "a@b.c"}));
        let same = trigger(json!({"from": "a@b.c", "label": "Invoices"}));
        assert_eq!(trigger_key(&invoices), trigger_key(&same), "the order of inputs does not matter");
        assert_ne!(trigger_key(&invoices), trigger_key(&trigger(json!({"label": "Receipts", "from": "a@b.c"}))));
        assert_ne!(trigger_key(&invoices), trigger_key(&trigger(json!({}))));
    }
}
