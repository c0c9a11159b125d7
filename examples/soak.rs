//! The traffic of `scripts/soak`: for a given time, several workers per server send a mix
//! of routing requests, chat turns, page views and sandbox connects (the consent screen
//! answered as a browser would), and count requests, errors and latencies. With an app key
//! (`--key`) they also call actions through the App API and send record events that start
//! a flow, whose runs must all succeed. Prints one JSON object. Not a test: `scripts/soak`
//! starts the servers and reads their logs.
//!
//! `cargo run --release --example soak -- --seconds 60 --key pbk_… --base http://127.0.0.1:A --base http://127.0.0.1:B`

use regex::Regex;
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PROMPTS: &[&str] = &[
    "Send me a daily email with my to-do list using Gmail",
    "post new tasks to #team in Slack",
    "when a deal is won in HubSpot, add a row to a Google Sheet and tell #sales",
    "make the header sticky",
    "create a GitHub issue for every bug report",
    "every Monday at 9 email the team a summary of last week's signups",
];
/// Reconnected again and again during the run.
const CHURNED: &[&str] = &["gmail", "slack", "google_sheets"];
/// Connected once at the start, then left to age, so the servers refresh their tokens.
const STEADY: &[&str] = &["notion", "github", "hubspot"];
const WORKERS_PER_SERVER: usize = 4;
/// The flow the event traffic starts, asked for in the chat once its tool is connected.
const FLOW_REQUEST: &str = "When a task is created, open a GitHub issue in acme/app with the task's title";
/// How long the runs still queued at the end may take to finish.
const RUNS_GRACE: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Tally {
    requests: u64,
    errors: Vec<String>,
    latencies_ms: Vec<f64>,
    by_kind: std::collections::BTreeMap<String, Vec<f64>>,
    connects: u64,
    /// Runs the events started, with the server that answered.
    runs: Vec<(String, i64)>,
}

struct Worker {
    base: String,
    browser: Client,
    tally: Arc<Mutex<Tally>>,
    /// The app key, when the App API is part of the traffic.
    key: Option<String>,
}

impl Worker {
    async fn new(base: &str, tally: Arc<Mutex<Tally>>, key: Option<String>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", base.parse().expect("a base URL"));
        let browser =
            Client::builder().cookie_store(true).redirect(Policy::none()).default_headers(headers).build().unwrap();
        let w = Self { base: base.to_owned(), browser, tally, key };
        w.record(w.browser.post(w.url("/login/dev")).form(&[("user_id", "1")]).send().await, "sign in").await;
        w
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) }
    }

    /// Counts one request; any 4xx/5xx or transport failure is an error.
    /// An error keeps the start of the page's text, so the report says what went wrong.
    async fn record(&self, outcome: reqwest::Result<Response>, what: &str) -> Option<Response> {
        let error = match outcome {
            Ok(r) if r.status().as_u16() < 400 => {
                self.tally.lock().unwrap().requests += 1;
                return Some(r);
            }
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                let said: String = text
                    .split('<')
                    .filter_map(|t| t.split_once('>').map(|(_, x)| x.trim()))
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("{what}: {status}: {}", said.chars().take(300).collect::<String>())
            }
            Err(e) => format!("{what}: {e}"),
        };
        let mut t = self.tally.lock().unwrap();
        t.requests += 1;
        t.errors.push(error);
        None
    }

    async fn timed(&self, what: &str, request: reqwest::RequestBuilder) -> Option<Response> {
        let started = Instant::now();
        let outcome = request.send().await;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let response = self.record(outcome, what).await;
        let mut t = self.tally.lock().unwrap();
        t.latencies_ms.push(elapsed);
        t.by_kind.entry(what.to_owned()).or_default().push(elapsed);
        drop(t);
        response
    }

    async fn route(&self, i: usize) {
        let body = json!({ "prompt": PROMPTS[i % PROMPTS.len()] });
        self.timed("route", self.browser.post(self.url("/api/v1/route")).json(&body)).await;
    }

    async fn chat(&self, i: usize) {
        let form = [("message", PROMPTS[i % PROMPTS.len()])];
        self.timed("chat", self.browser.post(self.url("/apps/1/chat")).form(&form)).await;
    }

    async fn page(&self, i: usize) {
        let path = ["/apps/1/integrations", "/apps/1/flows", "/apps/1/chat", "/apps/1/settings"][i % 4];
        if let Some(r) = self.timed("page", self.browser.get(self.url(path))).await {
            let _ = r.bytes().await;
        }
    }

    /// Connect (or reconnect) a tool through the sandbox consent screen.
    async fn connect(&self, connector: &str) {
        let form = [("connector", connector), ("purpose", "reconnect")];
        let Some(begin) = self.timed("connect", self.browser.post(self.url("/apps/1/connect")).form(&form)).await
        else {
            return;
        };
        let Some(consent_url) = location(&begin) else { return };
        let Some(page) = self.timed("consent page", self.browser.get(self.url(&consent_url))).await else { return };
        let html = page.text().await.unwrap_or_default();
        let mut fields = hidden_fields(&html);
        let checked = Regex::new(r#"name="account" value="([^"]+)" checked"#).unwrap();
        if let Some(c) = checked.captures(&html) {
            fields.push(("account".into(), c[1].to_owned()));
        }
        fields.push(("decision".into(), "allow".into()));
        let allow = self.browser.post(self.url("/sandbox/oauth/authorize")).form(&fields);
        let Some(back) = self.timed("consent", allow).await.as_ref().and_then(location) else { return };
        if self.timed("callback", self.browser.get(self.url(&back))).await.is_some() {
            self.tally.lock().unwrap().connects += 1;
        }
    }

    /// The App API with the app key, as the app's backend calls it.
    fn api(&self, method: reqwest::Method, path: &str) -> Option<reqwest::RequestBuilder> {
        let key = self.key.as_deref()?;
        Some(self.browser.request(method, self.url(&format!("/api/v1/apps/1/{path}"))).bearer_auth(key))
    }

    /// An action through the App API; the provider's refusal counts as an error too.
    async fn action(&self, i: usize) {
        let inputs = json!({ "inputs": { "repository": "acme/app", "title": format!("Soak issue {i}") } });
        let Some(call) = self.api(reqwest::Method::POST, "actions/github.create_issue") else { return };
        let Some(r) = self.timed("action", call.json(&inputs)).await else { return };
        let answer: serde_json::Value = r.json().await.unwrap_or_default();
        if answer["ok"] != true {
            self.tally.lock().unwrap().errors.push(format!("action: {answer}"));
        }
    }

    /// A record event, which starts the flow's run.
    async fn event(&self, i: usize) {
        let body = json!({ "entity": "Task", "change": "created",
                           "record": { "title": format!("Soak task {i}"), "completed": false } });
        let Some(call) = self.api(reqwest::Method::POST, "events") else { return };
        let Some(r) = self.timed("event", call.json(&body)).await else { return };
        let answer: serde_json::Value = r.json().await.unwrap_or_default();
        let started: Vec<i64> = answer["runs"].as_array().into_iter().flatten().filter_map(|v| v.as_i64()).collect();
        let mut t = self.tally.lock().unwrap();
        if started.is_empty() {
            t.errors.push(format!("event: no run started: {answer}"));
        }
        t.runs.extend(started.into_iter().map(|id| (self.base.clone(), id)));
    }

    /// Asks for the flow in the chat (its tool is connected, so it is drafted at once)
    /// and turns it on through the App API.
    async fn set_up_flow(&self) {
        self.timed("chat", self.browser.post(self.url("/apps/1/chat")).form(&[("message", FLOW_REQUEST)])).await;
        let Some(list) = self.api(reqwest::Method::GET, "flows") else { return };
        let flows: serde_json::Value = match self.timed("flows", list).await {
            Some(r) => r.json().await.unwrap_or_default(),
            None => return,
        };
        let Some(id) = flows["flows"].as_array().and_then(|f| f.last()).and_then(|f| f["id"].as_i64()) else {
            self.tally.lock().unwrap().errors.push(format!("set-up: the chat made no flow: {flows}"));
            return;
        };
        if let Some(activate) = self.api(reqwest::Method::POST, &format!("flows/{id}/activate")) {
            self.timed("flows", activate).await;
        }
    }

    /// The run's status once it finished; `None` while it is queued or running.
    async fn finished(&self, run: i64) -> Option<String> {
        let r = self.api(reqwest::Method::GET, &format!("runs/{run}"))?.send().await.ok()?;
        let answer: serde_json::Value = r.json().await.ok()?;
        let status = answer["status"].as_str()?;
        (!matches!(status, "queued" | "running")).then(|| format!("{status} {}", answer["error"]))
    }

    async fn run(self, deadline: Instant, seed: usize) {
        let mut i = seed;
        while Instant::now() < deadline {
            match i % 20 {
                0..=8 => self.route(i).await,
                9..=12 => self.page(i).await,
                13..=15 => self.chat(i).await,
                16 if self.key.is_some() => self.action(i).await,
                17 if self.key.is_some() => self.event(i).await,
                19 if i % 60 == 19 => self.connect(CHURNED[(i / 60) % CHURNED.len()]).await,
                _ => self.route(i).await,
            }
            i += 1;
        }
    }
}

/// Waits for the runs the events started to finish, on the server that started each (any
/// server would do: they share the database), and counts how they ended. A run that
/// failed or never finished is an error.
async fn settle_runs(bases: &[String], tally: &Arc<Mutex<Tally>>, key: Option<String>) -> serde_json::Value {
    let runs = std::mem::take(&mut tally.lock().unwrap().runs);
    let mut workers = std::collections::HashMap::new();
    for base in bases {
        workers.insert(
            base.clone(),
            Worker { base: base.clone(), browser: Client::new(), tally: tally.clone(), key: key.clone() },
        );
    }
    let until = Instant::now() + RUNS_GRACE;
    let (mut succeeded, mut pending) = (0, Vec::new());
    for (base, run) in runs.iter() {
        let worker = &workers[base];
        let ended = loop {
            match worker.finished(*run).await {
                Some(status) => break Some(status),
                None if Instant::now() < until => tokio::time::sleep(Duration::from_millis(200)).await,
                None => break None,
            }
        };
        match ended {
            Some(status) if status.starts_with("succeeded") => succeeded += 1,
            Some(status) => tally.lock().unwrap().errors.push(format!("run {run}: {status}")),
            None => pending.push(*run),
        }
    }
    if !pending.is_empty() {
        tally
            .lock()
            .unwrap()
            .errors
            .push(format!("{} runs still unfinished {RUNS_GRACE:?} after the end", pending.len()));
    }
    json!({ "started": runs.len(), "succeeded": succeeded, "unfinished": pending.len() })
}

fn location(r: &Response) -> Option<String> {
    r.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let input = Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]*)">"#).unwrap();
    input
        .captures_iter(html)
        .map(|c| (c[1].to_owned(), c[2].replace("&amp;", "&").replace("&quot;", "\"").replace("&#x27;", "'")))
        .collect()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 =
        args.iter().position(|a| a == "--seconds").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(60);
    let bases: Vec<String> =
        args.windows(2).filter(|w| w[0] == "--base").map(|w| w[1].trim_end_matches('/').to_owned()).collect();
    assert!(!bases.is_empty(), "give at least one --base URL");
    let key = args.windows(2).find(|w| w[0] == "--key").map(|w| w[1].clone());
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (b, base) in bases.iter().enumerate() {
        for w in 0..WORKERS_PER_SERVER {
            let worker = Worker::new(base, tally.clone(), key.clone()).await;
            if b == 0 && w == 0 {
                for connector in STEADY {
                    worker.connect(connector).await;
                }
                worker.set_up_flow().await;
            }
            tasks.push(tokio::spawn(worker.run(deadline, b * 7 + w * 3)));
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    let runs = settle_runs(&bases, &tally, key).await;
    let mut t = tally.lock().unwrap();
    t.latencies_ms.sort_by(f64::total_cmp);
    for v in t.by_kind.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    let at = |v: &[f64], p: f64| {
        (v.get(((v.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0.0) * 100.0).round() / 100.0
    };
    let pct = |p: f64| at(&t.latencies_ms, p);
    let p99_by_kind: serde_json::Map<String, serde_json::Value> =
        t.by_kind.iter().map(|(k, v)| (k.clone(), json!({"count": v.len(), "p99_ms": at(v, 0.99)}))).collect();
    let report = json!({
        "seconds": seconds,
        "servers": bases.len(),
        "requests": t.requests,
        "errors": t.errors.len(),
        "first_errors": t.errors.iter().take(10).collect::<Vec<_>>(),
        "connects": t.connects,
        "runs": runs,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "by_kind": p99_by_kind,
    });
    println!("{report}");
}
