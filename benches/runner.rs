//! The runner's costs, on SQLite in a temporary directory:
//! - runs per second of a three-step flow (query the demo tasks, write them as a list,
//!   one action), created, claimed and run through the queue;
//! - one scheduler tick (due schedules looked for, none due) with 10,000 active scheduled
//!   flows, and the periodic sync of schedules with flows.
//!
//! Run with `cargo bench --bench runner`.

use criterion::{Criterion, criterion_group, criterion_main};
use patchbay::config::Settings;
use patchbay::runner::Runner;
use patchbay::runner::actions::{ActionCall, ActionCaller, StepFailure};
use patchbay::store::{Store, now};
use patchbay::wiring::FlowDefinition;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Answers at once: the bench measures the runner, not a provider.
struct Instant200;

impl ActionCaller for Instant200 {
    fn call<'a>(&'a self, _: ActionCall<'a>) -> futures::future::BoxFuture<'a, Result<Value, StepFailure>> {
        Box::pin(async { Ok(json!({"id": "sent"})) })
    }
}

fn flow(cron: &str) -> String {
    json!({"name": "Daily tasks", "trigger": {"kind": "schedule", "cron": cron, "time_zone": "Europe/Paris"}, "steps": [
        {"kind": "query", "id": "q", "entity": "Task", "filter": [{"field": "completed", "op": "eq", "value": false}]},
        {"kind": "transform", "id": "list", "op": "render_list", "from": "{{steps.q.items}}", "fields": ["title", "due_date"]},
        {"kind": "action", "id": "send", "operation": "gmail.send_email", "connection": {"connector": "gmail", "kind": "shared"},
         "inputs": {"to": "ada@example.com", "subject": "Open tasks", "body": "{{steps.list.text}}"}, "scopes": []}
    ]})
    .to_string()
}

async fn setup(dir: &std::path::Path) -> (Store, Arc<Runner>, i64) {
    patchbay::startup::install_crypto_provider();
    let store = Store::connect(&Store::sqlite_url(dir)).await.unwrap();
    let app = patchbay::app::demo::seed_if_empty(&store).await.unwrap().unwrap();
    let settings = Settings { data_dir: dir.to_path_buf(), ..Default::default() };
    let cipher = Arc::new(patchbay::connections::TokenCipher::load_or_create(None, &[], dir).unwrap());
    let runner = Arc::new(Runner::new(&settings, store.clone(), cipher, Arc::new(Instant200)).unwrap());
    (store, runner, app)
}

async fn add_flow(store: &Store, app: i64, cron: &str) -> i64 {
    let def = FlowDefinition::from_json(&flow(cron)).unwrap();
    let row = store.create_flow(app, &def.name, "active", None, &def.to_json(), None, None).await.unwrap();
    row.id
}

fn runs_per_second(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, runner, app) = rt.block_on(setup(dir.path()));
    let flow = rt.block_on(add_flow(&store, app, "0 8 * * *"));
    c.bench_function("runner/100 runs of a 3-step flow", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..100 {
                    patchbay::runner::events::run_now(&store, flow, None, false).await.unwrap();
                }
                patchbay::runner::worker::work_queue(&runner).await.unwrap();
            })
        })
    });
    // The figure the closing note quotes, measured once more plainly.
    let started = Instant::now();
    rt.block_on(async {
        for _ in 0..1000 {
            patchbay::runner::events::run_now(&store, flow, None, false).await.unwrap();
        }
        patchbay::runner::worker::work_queue(&runner).await.unwrap();
    });
    println!("runner: 1000 runs in {:.2?} = {:.0} runs/s", started.elapsed(), 1000.0 / started.elapsed().as_secs_f64());
}

fn scheduler_tick(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (store, runner, app) = rt.block_on(setup(dir.path()));
    rt.block_on(async {
        for i in 0..10_000 {
            let id = add_flow(&store, app, &format!("{} {} * * *", i % 60, i % 24)).await;
            store
                .put_schedule(id, &format!("{} {} * * *", i % 60, i % 24), "Europe/Paris", now() + 3600 + i)
                .await
                .unwrap();
        }
    });
    let mut group = c.benchmark_group("scheduler with 10,000 active scheduled flows");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("tick (nothing due)", |b| b.iter(|| rt.block_on(runner.fire_due()).unwrap()));
    group.bench_function("sync schedules with flows", |b| {
        b.iter(|| rt.block_on(patchbay::runner::scheduler::sync_all(&store)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, runs_per_second, scheduler_tick);
criterion_main!(benches);
