//! The traffic of `scripts/soak`: for a given time, several workers per server send a mix
//! of routing requests, chat turns, page views and sandbox connects (the consent screen
//! answered as a browser would), and count requests, errors and latencies. Prints one JSON
//! object. Not a test: `scripts/soak` starts the servers and reads their logs.
//!
//! `cargo run --release --example soak -- --seconds 60 --base http://127.0.0.1:A --base http://127.0.0.1:B`

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

#[derive(Default)]
struct Tally {
    requests: u64,
    errors: Vec<String>,
    latencies_ms: Vec<f64>,
    by_kind: std::collections::BTreeMap<String, Vec<f64>>,
    connects: u64,
}

struct Worker {
    base: String,
    browser: Client,
    tally: Arc<Mutex<Tally>>,
}

impl Worker {
    async fn new(base: &str, tally: Arc<Mutex<Tally>>) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", base.parse().expect("a base URL"));
        let browser =
            Client::builder().cookie_store(true).redirect(Policy::none()).default_headers(headers).build().unwrap();
        let w = Self { base: base.to_owned(), browser, tally };
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

    async fn run(self, deadline: Instant, seed: usize) {
        let mut i = seed;
        while Instant::now() < deadline {
            match i % 10 {
                0..=4 => self.route(i).await,
                5 | 6 => self.page(i).await,
                7 | 8 => self.chat(i).await,
                _ if i % 30 == 9 => self.connect(CHURNED[(i / 30) % CHURNED.len()]).await,
                _ => self.route(i).await,
            }
            i += 1;
        }
    }
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
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (b, base) in bases.iter().enumerate() {
        for w in 0..WORKERS_PER_SERVER {
            let worker = Worker::new(base, tally.clone()).await;
            if b == 0 && w == 0 {
                for connector in STEADY {
                    worker.connect(connector).await;
                }
            }
            tasks.push(tokio::spawn(worker.run(deadline, b * 7 + w * 3)));
        }
    }
    for t in tasks {
        let _ = t.await;
    }
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
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "by_kind": p99_by_kind,
    });
    println!("{report}");
}
