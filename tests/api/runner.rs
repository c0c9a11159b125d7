//! Running flows: each scheduled occurrence runs once across two servers on PostgreSQL,
//! missed occurrences are caught up or recorded as skipped, passing failures are retried
//! with backoff (and a 4xx is not), a run resumes after its last finished step, stored
//! runs hold no secrets, record changes start the flows they match, and the app's own
//! data source is called with a signature it can check.

use crate::helpers::{OWNER, TODO_APP, TestApp, text};
use patchbay::runner::Runner;
use patchbay::runner::actions::{ActionCall, ActionCaller, StepFailure};
use patchbay::store::{Store, now};
use patchbay::wiring::{self, FlowDefinition};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// Open tasks, written as a list, then (optionally) one action with those words.
fn daily_tasks(cron: &str, with_action: bool) -> FlowDefinition {
    let mut steps = vec![
        json!({"kind": "query", "id": "open_tasks", "entity": "Task",
               "filter": [{"field": "completed", "op": "eq", "value": false}], "sort": {"field": "due_date"}}),
        json!({"kind": "transform", "id": "list", "op": "render_list", "from": "{{steps.open_tasks.items}}",
               "fields": ["title", "due_date"], "heading": "Open tasks", "empty": "No open tasks."}),
    ];
    if with_action {
        steps.push(json!({"kind": "action", "id": "send", "operation": "gmail.send_email",
            "connection": {"connector": "gmail", "kind": "shared"},
            "inputs": {"to": "ada@example.com", "subject": "Open tasks", "body": "{{steps.list.text}}"},
            "scopes": ["https://www.googleapis.com/auth/gmail.send"]}));
    }
    FlowDefinition::from_json(
        &json!({"name": "Daily tasks", "trigger": {"kind": "schedule", "cron": cron, "time_zone": "Europe/Paris"}, "steps": steps})
            .to_string(),
    )
    .unwrap()
}

/// Stores the flow and turns it on (the checks that need connections are not the point here).
async fn active_flow(app: &TestApp, def: &FlowDefinition) -> i64 {
    let (flow, _) = wiring::save(&app.store, &app.state.catalog, TODO_APP, def, None).await.unwrap();
    app.store.set_flow_status(flow.row.id, "active", None).await.unwrap();
    patchbay::runner::scheduler::sync_flow(&app.store, flow.row.id).await.unwrap();
    flow.row.id
}

/// An action API that answers from a script: each call takes the next answer.
struct Scripted {
    answers: Mutex<Vec<Result<Value, StepFailure>>>,
    calls: Mutex<Vec<Value>>,
}

impl ActionCaller for Scripted {
    fn call<'a>(&'a self, call: ActionCall<'a>) -> futures::future::BoxFuture<'a, Result<Value, StepFailure>> {
        self.calls.lock().unwrap().push(call.inputs.clone());
        let answer = self.answers.lock().unwrap().remove(0);
        Box::pin(async move { answer })
    }
}

fn scripted_runner(app: &TestApp, answers: Vec<Result<Value, StepFailure>>) -> (Arc<Runner>, Arc<Scripted>) {
    let scripted = Arc::new(Scripted { answers: Mutex::new(answers), calls: Mutex::new(vec![]) });
    let mut settings = app.state.settings.as_ref().clone();
    settings.runner.retry_base_secs = 1;
    let runner = Runner::new(&settings, app.store.clone(), app.state.cipher.clone(), scripted.clone()).unwrap();
    (Arc::new(runner), scripted)
}

/// Claims and runs whatever is queued now.
async fn work(runner: &Arc<Runner>) {
    patchbay::runner::worker::work_queue(runner).await.unwrap();
}

async fn make_due(store: &Store, flow_id: i64, at: i64) {
    let s = store.schedule(flow_id).await.unwrap().unwrap();
    store.put_schedule(flow_id, &s.cron, &s.time_zone, at).await.unwrap();
}

fn no_runner(s: &mut patchbay::config::Settings) {
    s.runner.enabled = false;
}

#[tokio::test]
async fn a_scheduled_run_lists_the_open_tasks_and_the_next_run_is_shown_in_the_flows_time_zone() {
    let app = TestApp::spawn_with(no_runner).await;
    let flow = active_flow(&app, &daily_tasks("0 8 * * *", true)).await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/flows")).send().await.unwrap(), 200).await;
    assert!(page.contains("Next run:") && page.contains("08:00 CE"), "the next 08:00 in Paris time");

    make_due(&app.store, flow, now() - 5).await;
    let (runner, actions) = scripted_runner(&app, vec![Ok(json!({"id": "msg-1"}))]);
    assert_eq!(runner.fire_due().await.unwrap(), 1);
    work(&runner).await;
    let run = app.store.runs_of_flow(flow, 1).await.unwrap().remove(0);
    assert_eq!(run.status, "succeeded", "{:?}", run.error);
    let body = actions.calls.lock().unwrap()[0]["body"].as_str().unwrap().to_owned();
    assert!(body.contains("Pay the electricity bill") && !body.contains("Renew the domain name"), "{body}");

    let detail = text(owner.get(app.url(&format!("/apps/1/runs/{}", run.id))).send().await.unwrap(), 200).await;
    assert!(detail.contains("Succeeded") && detail.contains("Pay the electricity bill"));
    assert!(!detail.contains("{{steps"), "the run page shows values, not references");
}

#[tokio::test]
async fn after_downtime_the_latest_missed_occurrence_runs_once_and_older_ones_are_skipped() {
    let app = TestApp::spawn_with(no_runner).await;
    let flow = active_flow(&app, &daily_tasks("*/10 * * * *", false)).await;
    // Down for 3 hours: 18 occurrences missed, the catch-up window is one hour.
    make_due(&app.store, flow, now() - 3 * 3600).await;
    let (runner, _) = scripted_runner(&app, vec![]);
    assert_eq!(runner.fire_due().await.unwrap(), 1);
    let runs = app.store.runs_of_flow(flow, 100).await.unwrap();
    assert_eq!(runs.iter().filter(|r| r.status == "queued").count(), 1);
    assert!(
        runs.iter()
            .filter(|r| r.status == "skipped")
            .all(|r| r.error.as_deref() == Some("Missed while patchbay was not running."))
    );
    assert!(runs.iter().filter(|r| r.status == "skipped").count() >= 10);
    assert_eq!(runner.fire_due().await.unwrap(), 0, "nothing is due twice");
    assert!(app.store.schedule(flow).await.unwrap().unwrap().next_run_at > now());
}

#[tokio::test]
async fn a_passing_failure_is_retried_and_resumes_at_the_failed_step_while_a_refusal_is_not() {
    let app = TestApp::spawn_with(no_runner).await;
    let flow = active_flow(&app, &daily_tasks("0 8 * * *", true)).await;
    let mut limited = StepFailure::transient("Gmail answered 429: slow down");
    limited.retry_after = Some(1);
    let (runner, actions) = scripted_runner(&app, vec![Err(limited), Ok(json!({"id": "msg-2"}))]);
    let id = patchbay::runner::events::run_now(&app.store, flow, None, true).await.unwrap().unwrap();
    work(&runner).await;
    let waiting = app.store.run(id).await.unwrap().unwrap();
    assert_eq!(waiting.status, "queued");
    assert!(waiting.error.unwrap().contains("attempt 1 of 4"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    work(&runner).await;
    let done = app.store.run(id).await.unwrap().unwrap();
    assert_eq!(done.status, "succeeded");
    assert_eq!(actions.calls.lock().unwrap().len(), 2);
    assert_eq!(done.attempts, 2);

    let (refusing, calls) =
        scripted_runner(&app, vec![Err(StepFailure::permanent("Gmail answered 400: invalid recipient"))]);
    let id = patchbay::runner::events::run_now(&app.store, flow, None, true).await.unwrap().unwrap();
    work(&refusing).await;
    let failed = app.store.run(id).await.unwrap().unwrap();
    assert_eq!(
        (failed.status.as_str(), failed.error.as_deref()),
        ("failed", Some("Gmail answered 400: invalid recipient"))
    );
    assert_eq!(calls.calls.lock().unwrap().len(), 1, "a 4xx is not retried");
}

#[tokio::test]
async fn stored_runs_hold_no_tokens_or_secrets() {
    let app = TestApp::spawn_with(no_runner).await;
    let flow = active_flow(&app, &daily_tasks("0 8 * * *", true)).await;
    let (runner, _) = scripted_runner(
        &app,
        vec![Ok(json!({"id": "m", "access_token": "ya29.leaked", "headers": {"authorization": "Bearer x"}}))],
    );
    let id = patchbay::runner::events::run_now(&app.store, flow, None, true).await.unwrap().unwrap();
    work(&runner).await;
    let run = app.store.run(id).await.unwrap().unwrap();
    assert_eq!(run.status, "succeeded");
    assert!(!run.steps.contains("ya29.leaked") && !run.steps.contains("Bearer x"), "{}", run.steps);
    assert!(run.steps.contains("[redacted]"));
}

#[tokio::test]
async fn a_record_change_starts_only_the_flows_whose_trigger_and_filter_match() {
    let app = TestApp::spawn_with(no_runner).await;
    let completed = FlowDefinition::from_json(&json!({
        "name": "Done tasks", "trigger": {"kind": "entity_event", "entity": "Task", "change": "field_changed",
        "field": "completed", "to": true, "filter": [{"field": "assignee", "op": "eq", "value": "ada@example.com"}]},
        "steps": [{"kind": "save", "id": "log", "entity": "Task", "values": {"title": "Follow up: {{trigger.record.title}}", "completed": false}}]
    }).to_string()).unwrap();
    let flow = active_flow(&app, &completed).await;
    let owner = app.signed_in(OWNER).await;
    let key = patchbay::identity::keys::create(&app.store, TODO_APP, "backend", None).await.unwrap().secret;
    let post = |record: Value, previous: Value| {
        reqwest::Client::new()
            .post(app.url("/api/v1/apps/1/events"))
            .bearer_auth(&key)
            .json(&json!({"entity": "task", "change": "updated", "record": record, "previous": previous}))
            .send()
    };
    let ada_done = post(
        json!({"title": "Ship it", "completed": true, "assignee": "ada@example.com"}),
        json!({"completed": false}),
    )
    .await
    .unwrap();
    let runs: Value = ada_done.json().await.unwrap();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 1);
    let eddie_done =
        post(json!({"title": "x", "completed": true, "assignee": "eddie@example.com"}), json!({"completed": false}))
            .await
            .unwrap();
    assert_eq!(eddie_done.json::<Value>().await.unwrap()["runs"], json!([]), "the filter holds it back");
    let unchanged =
        post(json!({"title": "y", "completed": true, "assignee": "ada@example.com"}), json!({"completed": true}))
            .await
            .unwrap();
    assert_eq!(unchanged.json::<Value>().await.unwrap()["runs"], json!([]), "nothing moved");

    let (runner, _) = scripted_runner(&app, vec![]);
    work(&runner).await;
    let run = app.store.runs_of_flow(flow, 1).await.unwrap().remove(0);
    assert_eq!(run.status, "succeeded", "{:?}", run.error);
    let tasks = app.store.records(TODO_APP, "Task").await.unwrap();
    assert!(tasks.iter().any(|t| t.data.contains("Follow up: Ship it")));
    let api_run: Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/apps/1/runs/{}", run.id)))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api_run["status"], "succeeded");
    drop(owner);
}

#[tokio::test]
async fn each_occurrence_runs_once_across_two_servers_on_postgresql() {
    let Some(url) = crate::pg::fresh_postgres_url().await else { return };
    let key = secrecy::SecretString::from(patchbay::connections::generate_key());
    let configure = |s: &mut patchbay::config::Settings| {
        s.database_url = Some(secrecy::SecretString::from(url.clone()));
        s.token_key = Some(key.clone());
        s.runner.tick_ms = 50;
    };
    let first = TestApp::spawn_with(configure).await;
    let second = TestApp::spawn_with(configure).await;
    let mut flows = Vec::new();
    for _ in 0..12 {
        let flow = active_flow(&first, &daily_tasks("* * * * *", false)).await;
        make_due(&first.store, flow, now() - 1).await;
        flows.push(flow);
    }
    // Both servers' workers race for the same due schedules and queued runs.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for flow in flows {
        let runs = second.store.runs_of_flow(flow, 10).await.unwrap();
        let mut occurrences: Vec<i64> = runs.iter().filter_map(|r| r.occurrence_at).collect();
        occurrences.sort();
        let before = occurrences.len();
        occurrences.dedup();
        assert_eq!(before, occurrences.len(), "an occurrence ran twice");
        assert!(runs.iter().any(|r| r.status == "succeeded"), "{runs:?}");
    }
}

#[tokio::test]
async fn the_apps_own_data_source_is_called_with_a_signature_and_a_wrong_one_is_refused() {
    use axum::routing::post;
    let secret = b"shared-secret-of-the-host".to_vec();
    let host_secret = secret.clone();
    // A reference host: checks the signature and answers the query from its own records.
    let host = axum::Router::new().route(
        "/patchbay",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let secret = host_secret.clone();
            async move {
                let sig = headers.get("x-patchbay-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
                let t =
                    sig.split(',').find_map(|p| p.strip_prefix("t=")).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
                let fresh = (now() - t).abs() < 300;
                if !fresh || patchbay::runner::data::signature(&secret, t, &body) != sig {
                    return (axum::http::StatusCode::UNAUTHORIZED, "bad signature".to_owned());
                }
                let asked: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(asked["entity"], "Task");
                (
                    axum::http::StatusCode::OK,
                    json!({"items": [{"title": "From the host", "completed": false}]}).to_string(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host_url = format!("http://{}/patchbay", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, host).await.unwrap() });

    let app = TestApp::spawn_with(no_runner).await;
    let flow = active_flow(&app, &daily_tasks("0 8 * * *", true)).await;
    let seal = |s: &[u8]| app.state.cipher.seal(s, &patchbay::runner::execute::data_secret_context(TODO_APP));
    app.store.set_app_data_source(TODO_APP, Some(&host_url), Some(&seal(&secret))).await.unwrap();
    let (runner, actions) = scripted_runner(&app, vec![Ok(json!({"id": "m"}))]);
    patchbay::runner::events::run_now(&app.store, flow, None, true).await.unwrap();
    work(&runner).await;
    assert!(actions.calls.lock().unwrap()[0]["body"].as_str().unwrap().contains("From the host"));

    app.store.set_app_data_source(TODO_APP, Some(&host_url), Some(&seal(b"not the host's secret"))).await.unwrap();
    let id = patchbay::runner::events::run_now(&app.store, flow, None, true).await.unwrap().unwrap();
    work(&runner).await;
    let refused = app.store.run(id).await.unwrap().unwrap();
    assert_eq!(refused.status, "failed");
    assert!(refused.error.unwrap().contains("answered 401"));
}

#[tokio::test]
async fn a_failed_run_is_posted_to_the_apps_webhook_signed_and_retried_until_taken() {
    use axum::routing::post;
    let received: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(vec![]));
    let answers = Arc::new(Mutex::new(vec![500u16, 200]));
    let (seen, script) = (received.clone(), answers.clone());
    let backend = axum::Router::new().route(
        "/events",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let (seen, script) = (seen.clone(), script.clone());
            async move {
                let sig = headers["x-patchbay-signature"].to_str().unwrap().to_owned();
                seen.lock().unwrap().push((sig, body));
                axum::http::StatusCode::from_u16(script.lock().unwrap().remove(0)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, backend).await.unwrap() });

    let app = TestApp::spawn_with(no_runner).await;
    let owner = app.signed_in(OWNER).await;
    let saved = owner
        .post(app.url("/apps/1/settings/backend"))
        .form(&[("webhook_url", url.as_str()), ("data_url", "")])
        .send()
        .await
        .unwrap();
    assert!(text(saved, 200).await.contains("Saved."));
    let secret = crate::identity::shown_once(
        &text(owner.post(app.url("/apps/1/settings/secret")).send().await.unwrap(), 200).await,
    );

    let flow = active_flow(&app, &daily_tasks("0 8 * * *", true)).await;
    let (runner, _) = scripted_runner(&app, vec![Err(StepFailure::permanent("Gmail answered 400: bad address"))]);
    patchbay::runner::events::run_now(&app.store, flow, None, true).await.unwrap();
    work(&runner).await;
    assert_eq!(runner.deliver_webhooks().await.unwrap(), 1);
    let pending = app.store.deliveries_of_app(TODO_APP, 5).await.unwrap().remove(0);
    assert_eq!((pending.status.as_str(), pending.last_error.as_deref()), ("pending", Some("the backend answered 500")));

    // The retry is due later; bring it forward rather than wait.
    let pool = sqlx::AnyPool::connect(&Store::sqlite_url(app.dir.path())).await.unwrap();
    sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = 0").execute(&pool).await.unwrap();
    assert_eq!(runner.deliver_webhooks().await.unwrap(), 1);
    assert_eq!(app.store.deliveries_of_app(TODO_APP, 5).await.unwrap()[0].status, "delivered");

    let (sig, body) = received.lock().unwrap()[1].clone();
    let t: i64 = sig.split(',').next().unwrap().trim_start_matches("t=").parse().unwrap();
    assert_eq!(patchbay::runner::data::signature(secret.as_bytes(), t, &body), sig, "the backend can check it");
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["event"], "run.failed");
    assert_eq!(event["data"]["error"], "Gmail answered 400: bad address");
    let settings = text(owner.get(app.url("/apps/1/settings")).send().await.unwrap(), 200).await;
    assert!(settings.contains("run.failed · delivered"), "the app shows its webhooks");
}
