//! Runs that start from outside a schedule: a change to the app's records posted by the
//! host (every active flow whose trigger and filter match starts a run), a button or
//! "Run now".

use super::conditions::all_hold;
use super::scope::Scope;
use crate::store::{NewRun, Store, StoreError, now};
use crate::wiring::{self, EntityChange, EntityEvent, FlowTrigger};
use serde_json::Value;

/// A change the host reports.
pub struct Change<'a> {
    pub entity: &'a str,
    /// `created`, `updated` or `deleted`.
    pub change: &'a str,
    pub record: &'a Value,
    pub previous: Option<&'a Value>,
}

/// Queues a run of every active flow of the app that this change starts; their ids.
pub async fn record_changed(store: &Store, app_id: i64, change: &Change<'_>) -> Result<Vec<i64>, StoreError> {
    let mut runs = Vec::new();
    for row in store.flows_of_app(app_id).await?.into_iter().filter(|f| f.status == "active") {
        let Some(flow) = wiring::load(store, row.id).await.ok().flatten() else { continue };
        let FlowTrigger::EntityEvent(trigger) = &flow.definition.trigger else { continue };
        if !starts(trigger, change) {
            continue;
        }
        let record = change.record.to_string();
        let previous = change.previous.map(Value::to_string);
        let run = NewRun {
            flow_id: row.id,
            app_id,
            flow_version: row.version,
            started_by: "event",
            occurrence_at: None,
            status: "queued",
            is_test: false,
            record: Some(&record),
            previous: previous.as_deref(),
            error: None,
            at: now(),
        };
        if let Some(id) = store.add_run(run).await? {
            runs.push(id);
        }
    }
    Ok(runs)
}

/// Whether `change` is what the trigger waits for, filter included.
pub fn starts(trigger: &EntityEvent, change: &Change<'_>) -> bool {
    if !trigger.entity.eq_ignore_ascii_case(change.entity) {
        return false;
    }
    let kind_matches = match trigger.change {
        EntityChange::Created => change.change == "created",
        EntityChange::Deleted => change.change == "deleted",
        EntityChange::Updated => change.change == "updated",
        EntityChange::FieldChanged => {
            let Some(field) = &trigger.field else { return false };
            let now_value = change.record.get(field);
            let before = change.previous.and_then(|p| p.get(field));
            let moved = change.change == "updated" && now_value != before;
            let to_matches = trigger.to.as_ref().is_none_or(|to| same(now_value, to));
            moved && to_matches
        }
    };
    let scope = Scope {
        record: Some(change.record.clone()),
        previous: change.previous.cloned(),
        fired_at: now(),
        ..Default::default()
    };
    let filter: Vec<_> = trigger
        .filter
        .iter()
        .map(|c| crate::wiring::Condition { value: c.value.as_ref().map(|v| scope.resolve(v)), ..c.clone() })
        .collect();
    kind_matches && all_hold(change.record, &filter, scope.fired_at)
}

fn same(value: Option<&Value>, wanted: &Value) -> bool {
    match (value, wanted) {
        (Some(Value::String(a)), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Some(a), b) => a == b || super::scope::as_text(Some(a)).eq_ignore_ascii_case(&super::scope::as_text(Some(b))),
        (None, _) => false,
    }
}

/// "Run now" (a test run, labelled so) or a button in the app: one run, queued.
pub async fn run_now(
    store: &Store,
    flow_id: i64,
    record: Option<&Value>,
    is_test: bool,
) -> Result<Option<i64>, StoreError> {
    let Some(row) = store.flow(flow_id).await? else { return Ok(None) };
    let record = record.map(Value::to_string);
    store
        .add_run(NewRun {
            flow_id,
            app_id: row.app_id,
            flow_version: row.version,
            started_by: if is_test { "test" } else { "button" },
            occurrence_at: None,
            status: "queued",
            is_test,
            record: record.as_deref(),
            previous: None,
            error: None,
            at: now(),
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiring::{Condition, Op};
    use serde_json::json;

    fn trigger(change: EntityChange, field: Option<&str>, to: Option<Value>, filter: Vec<Condition>) -> EntityEvent {
        EntityEvent { entity: "Deal".into(), change, field: field.map(str::to_owned), to, filter }
    }

    #[test]
    fn a_field_moving_to_its_value_starts_a_run_and_staying_there_does_not() {
        let won = trigger(EntityChange::FieldChanged, Some("stage"), Some(json!("Won")), vec![]);
        let after = json!({"stage": "won", "amount": 900});
        let before = json!({"stage": "Proposal", "amount": 900});
        let moved = Change { entity: "deal", change: "updated", record: &after, previous: Some(&before) };
        assert!(starts(&won, &moved));
        let still = Change { entity: "Deal", change: "updated", record: &after, previous: Some(&after) };
        assert!(!starts(&won, &still));
        let created = Change { entity: "Deal", change: "created", record: &after, previous: None };
        assert!(!starts(&won, &created));
    }

    #[test]
    fn filters_narrow_which_records_start_a_run() {
        let big = trigger(EntityChange::Created, None, None, vec![Condition::new("amount", Op::Gt, 500)]);
        let small = json!({"amount": 20});
        let large = json!({"amount": "1200"});
        assert!(!starts(&big, &Change { entity: "Deal", change: "created", record: &small, previous: None }));
        assert!(starts(&big, &Change { entity: "Deal", change: "created", record: &large, previous: None }));
        assert!(!starts(&big, &Change { entity: "Task", change: "created", record: &large, previous: None }));
    }
}
