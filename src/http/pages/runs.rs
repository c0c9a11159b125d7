//! Runs as people read them: on the Flows page, each flow's next run and last runs; a
//! run's own page with its steps in plain words and what each sent and got back; and the
//! buttons that start a test run, rename a flow or delete it.

use super::flows::owned_flow;
use super::{Access, Layout, PageError, render};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::runner::execute::steps_of;
use crate::runner::schedule::Schedule;
use crate::runner::{events, scope::as_text};
use crate::store::RunRow;
use crate::wiring::{self, FlowTrigger};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

/// One line of a flow's history.
pub struct RunLine {
    pub id: i64,
    pub status: &'static str,
    pub label: &'static str,
    pub when: String,
    pub why: &'static str,
    pub error: String,
}

/// When the flow runs next, in its own time zone, and its last runs.
pub async fn history(state: &AppState, flow: &wiring::StoredFlow) -> Result<(Option<String>, Vec<RunLine>), PageError> {
    let zone = match &flow.definition.trigger {
        FlowTrigger::Schedule(s) => Schedule::parse(&s.cron, &s.time_zone).ok(),
        _ => None,
    };
    let next = match (&zone, state.store.schedule(flow.row.id).await?) {
        (Some(z), Some(s)) => Some(z.local(s.next_run_at)),
        _ => None,
    };
    let runs = state.store.runs_of_flow(flow.row.id, 5).await?.iter().map(|r| line(r, zone.as_ref())).collect();
    Ok((next, runs))
}

/// "Checks Gmail for new emails every minute (last checked …)" for an active flow whose
/// connector trigger is polled; nothing otherwise.
pub async fn polling(state: &AppState, flow: &wiring::StoredFlow) -> Result<Option<String>, PageError> {
    let FlowTrigger::Connector(t) = &flow.definition.trigger else { return Ok(None) };
    let Some(poll) = state.store.poll(flow.row.id).await? else { return Ok(None) };
    let connector = t.connection.connector.as_str();
    let name = state.catalog.get(connector).map_or(connector.to_owned(), |c| c.name.clone());
    let secs = state.settings.runner.poll_secs.max(1);
    let every = match secs {
        60 => "every minute".to_owned(),
        s if s % 60 == 0 => format!("every {} minutes", s / 60),
        1 => "every second".to_owned(),
        s => format!("every {s} seconds"),
    };
    let last = match poll.last_polled_at {
        Some(at) => format!("last checked {}", super::integrations::when(Some(at))),
        None => "not checked yet".to_owned(),
    };
    let mut line = format!("Checks {name} for new items {every} ({last}).");
    if poll.primed == 0 {
        line.push_str(" The first check only notes what is already there.");
    }
    Ok(Some(line))
}

fn line(r: &RunRow, zone: Option<&Schedule>) -> RunLine {
    let at = r.finished_at.or(r.started_at).unwrap_or(r.created_at);
    let when = match zone {
        Some(z) => z.local(at),
        None => super::integrations::when(Some(at)),
    };
    RunLine {
        id: r.id,
        status: status_kind(&r.status),
        label: status_label(&r.status),
        when,
        why: match r.started_by.as_str() {
            "schedule" => "on schedule",
            "event" => "by a record change",
            "test" => "test run",
            "button" => "by a button",
            "connector" => "by a new item",
            "poll" => "checking for new items",
            _ => "",
        },
        error: r.error.clone().unwrap_or_default(),
    }
}

fn status_kind(status: &str) -> &'static str {
    match status {
        "succeeded" => "ok",
        "failed" => "bad",
        "skipped" => "muted",
        _ => "accent",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "succeeded" => "Succeeded",
        "failed" => "Failed",
        "skipped" => "Skipped",
        "running" => "Running",
        _ => "Waiting to run",
    }
}

struct StepView {
    title: String,
    status: &'static str,
    label: &'static str,
    duration: String,
    sent: Lines,
    got: Lines,
    error: String,
}

#[derive(Template)]
#[template(path = "flows/run.html")]
struct RunPage {
    layout: Layout,
    app_id: i64,
    flow_id: i64,
    flow_name: String,
    run: RunLine,
    is_test: bool,
    steps: Vec<StepView>,
    pending: bool,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, run_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("see runs")?;
    let run = state.store.run(run_id).await?.filter(|r| r.app_id == app_id).ok_or_else(PageError::not_found)?;
    let flow = wiring::load(&state.store, run.flow_id).await?.ok_or_else(PageError::not_found)?;
    let def =
        wiring::load_version(&state.store, run.flow_id, run.flow_version).await?.unwrap_or(flow.definition.clone());
    let titles: Vec<(Option<String>, String)> =
        def.outline(&state.catalog).into_iter().map(|n| (n.id, n.title)).collect();
    let steps = steps_of(&run)
        .into_iter()
        .map(|s| {
            let (sent, got) = described(&s.kind, &s.inputs, &s.outputs);
            StepView {
                title: titles
                    .iter()
                    .find(|(id, _)| id.as_deref() == Some(&s.id))
                    .map_or(s.id.clone(), |(_, t)| t.clone()),
                status: status_kind(&s.status),
                label: status_label(&s.status),
                duration: format!("{} ms", s.duration_ms),
                sent,
                got,
                error: s.error.unwrap_or_default(),
            }
        })
        .collect();
    let page = RunPage {
        layout: Layout::for_app(format!("Run of {}", flow.row.name), &access, "flows"),
        app_id,
        flow_id: run.flow_id,
        flow_name: flow.row.name.clone(),
        pending: matches!(run.status.as_str(), "queued" | "running"),
        is_test: run.is_test != 0,
        run: line(&run, None),
        steps,
    };
    render(StatusCode::OK, &page)
}

/// "name: value" lines for a page.
type Lines = Vec<(String, String)>;

/// What a step sent and got back, as a person reads it: a query's conditions and the
/// records it found, a list's text, an action's inputs and answer.
fn described(kind: &str, inputs: &Value, outputs: &Value) -> (Lines, Lines) {
    match kind {
        "query" => {
            let mut sent = vec![("which".to_owned(), conditions(inputs.get("filter")))];
            if let Some(field) = inputs.pointer("/sort/field").and_then(Value::as_str) {
                let order =
                    if inputs.pointer("/sort/order") == Some(&Value::from("desc")) { ", newest first" } else { "" };
                sent.push(("sorted by".into(), format!("{}{order}", field.replace('_', " "))));
            }
            let items = outputs.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            let names: Vec<String> = items.iter().map(first_words).collect();
            let found =
                if names.is_empty() { "none".to_owned() } else { format!("{}: {}", names.len(), names.join("; ")) };
            (sent, vec![("records found".into(), found)])
        }
        "transform" => (pairs(inputs), vec![("text".into(), as_text(outputs.get("text")))]),
        _ => (pairs(inputs), pairs(outputs)),
    }
}

/// "completed is false and due date is before 2026-03-01", or "all of them".
fn conditions(filter: Option<&Value>) -> String {
    let words: Vec<String> = filter
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let field = c.get("field")?.as_str()?.replace('_', " ");
            let op = serde_json::from_value::<crate::wiring::Op>(c.get("op")?.clone()).ok()?;
            let value = c.get("value").map(|v| as_text(Some(v))).unwrap_or_default();
            Some(format!("{field} {} {value}", op.words()).trim_end().to_owned())
        })
        .collect();
    if words.is_empty() { "all of them".into() } else { words.join(" and ") }
}

/// A record by its first text field (its title, name or subject, usually).
fn first_words(record: &Value) -> String {
    ["title", "name", "subject", "email"]
        .iter()
        .find_map(|k| record.get(*k).and_then(Value::as_str))
        .map_or_else(|| as_text(record.get("id")), str::to_owned)
}

/// Inputs or outputs as "name: value" lines; nested values compact.
fn pairs(v: &Value) -> Lines {
    match v {
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| k.as_str() != "result")
            .map(|(k, v)| {
                let text = match v {
                    Value::Object(_) => serde_json::to_string_pretty(v).unwrap_or_default(),
                    other => as_text(Some(other)),
                };
                (k.replace('_', " "), text)
            })
            .collect(),
        Value::Null => Vec::new(),
        other => vec![("value".into(), as_text(Some(other)))],
    }
}

/// "Run now": a test run, marked as such, that does what the flow does.
pub async fn run_now(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    owned_flow(&state, &user, app_id, flow_id).await?;
    let id = events::run_now(&state.store, flow_id, None, true).await?.ok_or_else(PageError::not_found)?;
    state.store.audit(Some(app_id), Some(user.id), "flow.test_run", None, None, Some(&format!("run {id}"))).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/runs/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
    Form(form): Form<RenameForm>,
) -> Result<Response, PageError> {
    owned_flow(&state, &user, app_id, flow_id).await?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Name not saved",
            "Give the flow a name of 1 to 120 characters.",
        ));
    }
    state.store.rename_flow(flow_id, name).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/flows#flow-{flow_id}")).into_response())
}

#[derive(Template)]
#[template(path = "flows/delete.html")]
struct DeletePage {
    layout: Layout,
    app_id: i64,
    flow_id: i64,
    name: String,
    runs: usize,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let flow = owned_flow(&state, &user, app_id, flow_id).await?;
    let access = Access::load(&state, app_id, &user).await?;
    let runs = state.store.runs_of_flow(flow_id, 1000).await?.len();
    let layout = Layout::for_app(format!("Delete {}", flow.row.name), &access, "flows");
    render(StatusCode::OK, &DeletePage { layout, app_id, flow_id, name: flow.row.name, runs })
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, flow_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let flow = owned_flow(&state, &user, app_id, flow_id).await?;
    state.store.delete_flow(flow_id).await?;
    state.store.audit(Some(app_id), Some(user.id), "flow.deleted", None, None, Some(&flow.row.name)).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/flows")).into_response())
}
