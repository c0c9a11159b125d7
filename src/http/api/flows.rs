//! The App API's flows and runs: list an app's flows with their next run, turn them on
//! and off, start a run (a button, or a test), read a run, and report a change to the
//! app's records so the flows it triggers run.

use super::caller::AppCaller;
use crate::http::{AppError, AppState};
use crate::runner::{events, execute, scheduler};
use crate::store::RunRow;
use crate::wiring;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

/// A flow as the API shows it (DESIGN.md): id, name, status, trigger, next run, and for a
/// polled connector trigger its `polling` state.
async fn flow_json(state: &AppState, flow: &wiring::StoredFlow) -> Result<Value, AppError> {
    let next = state.store.schedule(flow.row.id).await?.map(|s| rfc3339(s.next_run_at));
    let mut out = json!({
        "id": flow.row.id,
        "name": flow.row.name,
        "status": flow.row.status,
        "trigger": flow.definition.trigger,
    });
    if let Some(next) = next {
        out["next_run_at"] = json!(next);
    }
    // A connector trigger being polled: when it is checked next, when it last was, and
    // the provider's last refusal while it lasts (additive: docs/runner.md).
    if let Some(poll) = state.store.poll(flow.row.id).await? {
        let mut polling = json!({ "next_check_at": rfc3339(poll.next_poll_at) });
        if let Some(at) = poll.last_polled_at {
            polling["last_checked_at"] = json!(rfc3339(at));
        }
        if let Some(error) = poll.last_error {
            polling["last_error"] = json!(error);
        }
        out["polling"] = polling;
    }
    Ok(out)
}

fn rfc3339(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).map(|t| t.to_rfc3339()).unwrap_or_default()
}

async fn flow_of_app(state: &AppState, caller: &AppCaller, flow_id: i64) -> Result<wiring::StoredFlow, AppError> {
    wiring::load(&state.store, flow_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .filter(|f| f.row.app_id == caller.app.id)
        .ok_or_else(|| AppError::NotFound("no such flow in this app".into()))
}

fn require_key(caller: &AppCaller) -> Result<(), AppError> {
    caller.key().map(|_| ()).ok_or_else(|| AppError::Forbidden("this needs an app key".into()))
}

pub async fn list(State(state): State<AppState>, caller: AppCaller) -> Result<Json<Value>, AppError> {
    let mut flows = Vec::new();
    for row in state.store.flows_of_app(caller.app.id).await? {
        if let Some(flow) = wiring::load(&state.store, row.id).await.ok().flatten() {
            flows.push(flow_json(&state, &flow).await?);
        }
    }
    Ok(Json(json!({ "flows": flows })))
}

pub async fn activate(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, flow_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    flow_of_app(&state, &caller, flow_id).await?;
    let (_, report) =
        scheduler::activate(&state.store, &state.catalog, flow_id).await.map_err(|e| AppError::Internal(e.into()))?;
    let flow = flow_of_app(&state, &caller, flow_id).await?;
    if flow.row.status != "active" {
        let why = report.status_reason().unwrap_or_else(|| "it is not ready".into());
        return Err(AppError::Conflict(format!("the flow cannot be turned on: {why}")));
    }
    Ok(Json(flow_json(&state, &flow).await?))
}

pub async fn pause(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, flow_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    flow_of_app(&state, &caller, flow_id).await?;
    scheduler::pause(&state.store, &state.catalog, flow_id).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(Json(flow_json(&state, &flow_of_app(&state, &caller, flow_id).await?).await?))
}

#[derive(Deserialize, Default)]
pub struct StartRun {
    record: Option<Value>,
    as_user: Option<String>,
}

pub async fn start(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, flow_id)): Path<(i64, i64)>,
    body: Option<Json<StartRun>>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    flow_of_app(&state, &caller, flow_id).await?;
    let (record, as_user) = body.map_or((None, None), |Json(b)| (b.record, b.as_user));
    let record = match as_user {
        Some(person) => Some(with_person(record.unwrap_or_else(|| json!({})), &person)?),
        None => record,
    };
    let id = events::run_now(&state.store, flow_id, record.as_ref(), false)
        .await?
        .ok_or_else(|| AppError::NotFound("no such flow".into()))?;
    Ok(Json(json!({ "run": { "id": id, "status": "queued" } })))
}

pub async fn run(
    State(state): State<AppState>,
    caller: AppCaller,
    Path((_, run_id)): Path<(i64, i64)>,
) -> Result<Json<Value>, AppError> {
    let run = state
        .store
        .run(run_id)
        .await?
        .filter(|r| r.app_id == caller.app.id)
        .ok_or_else(|| AppError::NotFound("no such run in this app".into()))?;
    Ok(Json(run_json(&run)))
}

pub fn run_json(run: &RunRow) -> Value {
    let mut out = json!({
        "id": run.id,
        "flow_id": run.flow_id,
        "status": run.status,
        "started_by": run.started_by,
        "test": run.is_test != 0,
        "steps": execute::steps_of(run),
        "created_at": rfc3339(run.created_at),
    });
    if let Some(e) = &run.error {
        out["error"] = json!(e);
    }
    if let Some(at) = run.finished_at {
        out["finished_at"] = json!(rfc3339(at));
    }
    out
}

#[derive(Deserialize)]
pub struct Event {
    entity: String,
    change: String,
    record: Value,
    previous: Option<Value>,
    /// The app user whose change it is: steps on app user connectors use their account.
    as_user: Option<String>,
}

/// The run's record with the app user who started it as its `user_ref`, which is what
/// steps on app user connectors read.
fn with_person(mut record: Value, person: &str) -> Result<Value, AppError> {
    let Some(fields) = record.as_object_mut() else {
        return Err(AppError::BadRequest("record must be a JSON object".into()));
    };
    match fields.get("user_ref").and_then(Value::as_str) {
        Some(other) if other != person => {
            Err(AppError::BadRequest("as_user and the record's user_ref name different people".into()))
        }
        _ => {
            fields.insert("user_ref".into(), json!(person));
            Ok(record)
        }
    }
}

pub async fn event(
    State(state): State<AppState>,
    caller: AppCaller,
    Json(e): Json<Event>,
) -> Result<Json<Value>, AppError> {
    require_key(&caller)?;
    if !matches!(e.change.as_str(), "created" | "updated" | "deleted") {
        return Err(AppError::BadRequest("change must be \"created\", \"updated\" or \"deleted\"".into()));
    }
    if !e.record.is_object() {
        return Err(AppError::BadRequest("record must be a JSON object".into()));
    }
    let record = match &e.as_user {
        Some(person) => with_person(e.record, person)?,
        None => e.record,
    };
    let change =
        events::Change { entity: &e.entity, change: &e.change, record: &record, previous: e.previous.as_ref() };
    let runs = events::record_changed(&state.store, caller.app.id, &change).await?;
    Ok(Json(json!({ "runs": runs })))
}
