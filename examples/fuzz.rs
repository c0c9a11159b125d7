//! A fuzz driver on stable Rust: random requests, app structures, catalog files and flow
//! definitions, for as long as asked, each through the code that reads it. Any panic is
//! counted and its input printed (up to 10). Exits 1 if anything panicked.
//!
//! `cargo run --release --example fuzz -- --seconds 600 [--seed N]`

use patchbay::app::AppStructure;
use patchbay::app::demo::todo_structure;
use patchbay::catalog::{Catalog, SourceFile};
use patchbay::ranking::{RouteRequest, Router};
use patchbay::wiring::{self, Context, FlowDefinition};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "when",
    "whenever",
    "every",
    "day",
    "at",
    "8am",
    "noon",
    "created",
    "moves to",
    "is",
    "marked as",
    "new",
    "send",
    "email",
    "post",
    "to",
    "Gmail",
    "slack",
    "#team",
    "@ana",
    "Google Sheets",
    "a",
    "task",
    "deal",
    "\"Won\"",
    "'x'",
    ",",
    ".",
    "?",
    "monday.com",
    "to-do",
    "every weekday",
    "chaque jour",
    "jeden Montag",
    "cada semana",
    "hubspot",
    "notion",
    "github",
    "if",
    "over $500",
    "overdue",
    "from",
    "my",
    "calendar",
    "text me",
    "SMS",
];
const TRICKY: &[char] =
    &['\u{212A}', 'ẞ', 'Ⱥ', 'Ⱦ', 'İ', 'ǅ', 'ß', 'ﬁ', '\u{301}', '\u{200D}', '🙂', '\t', '\n', '\0', '"', '\\'];

fn random_char(rng: &mut StdRng) -> char {
    match rng.random_range(0..4) {
        0 => TRICKY[rng.random_range(0..TRICKY.len())],
        1 => char::from_u32(rng.random_range(0x20..0x7f)).unwrap_or('x'),
        _ => loop {
            if let Some(c) = char::from_u32(rng.random_range(0..0x3_0000)) {
                break c;
            }
        },
    }
}

fn random_text(rng: &mut StdRng) -> String {
    let n = rng.random_range(0..16);
    let mut out = String::new();
    for _ in 0..n {
        if rng.random_bool(0.6) {
            out.push_str(WORDS[rng.random_range(0..WORDS.len())]);
        } else {
            for _ in 0..rng.random_range(1..6) {
                out.push(random_char(rng));
            }
        }
        out.push(if rng.random_bool(0.9) { ' ' } else { random_char(rng) });
    }
    out
}

fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    let keys = ["name", "pages", "entities", "fields", "type", "flows", "connected", "trigger", "steps", "kind"];
    match if depth == 0 { rng.random_range(0..4) } else { rng.random_range(0..6) } {
        0 => Value::Null,
        1 => json!(rng.random::<i32>()),
        2 => json!(random_text(rng)),
        3 => json!(rng.random_bool(0.5)),
        4 => Value::Array((0..rng.random_range(0..5)).map(|_| random_json(rng, depth - 1)).collect()),
        _ => Value::Object(
            (0..rng.random_range(0..5))
                .map(|_| (keys[rng.random_range(0..keys.len())].to_owned(), random_json(rng, depth - 1)))
                .collect(),
        ),
    }
}

fn spliced(rng: &mut StdRng, text: &str) -> String {
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let (a, b) = (boundaries[rng.random_range(0..boundaries.len())], boundaries[rng.random_range(0..boundaries.len())]);
    let (a, b) = (a.min(b), a.max(b).min(a + 40));
    let b = boundaries.iter().copied().filter(|&x| x <= b).max().unwrap_or(a).max(a);
    format!("{}{}{}", &text[..a], random_text(rng), &text[b..])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse::<u64>().ok())
    };
    let seconds = arg("--seconds").unwrap_or(60);
    let seed = arg("--seed").unwrap_or_else(|| rand::rng().random());
    let mut rng = StdRng::seed_from_u64(seed);
    let router = Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router");
    let gmail = include_str!("../catalog/connectors/gmail.toml");
    let flow = r#"{"version":1,"name":"Daily","trigger":{"kind":"schedule","cron":"0 8 * * *","time_zone":"UTC","description":"every day"},"steps":[]}"#;
    static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut inputs, mut panics) = (0u64, 0u64);
    while Instant::now() < deadline {
        let prompt = random_text(&mut rng);
        let app = if rng.random_bool(0.5) {
            AppStructure::from_value(&random_json(&mut rng, 3)).unwrap_or_default()
        } else {
            todo_structure()
        };
        let catalog_text = spliced(&mut rng, gmail);
        let flow_text = spliced(&mut rng, flow);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if let Ok(route) = router.route(&RouteRequest { prompt: prompt.clone(), app: app.clone(), chips: vec![] }) {
                let ctx = Context {
                    catalog: router.catalog(),
                    app: &app,
                    time_zone: "UTC",
                    requester: "ada@example.com",
                    request: &prompt,
                    message_id: None,
                };
                let _ = wiring::generate(&route, &ctx);
            }
            let _ = Catalog::from_sources(&[SourceFile { path: "gmail.toml".into(), text: catalog_text.clone() }]);
            let _ = FlowDefinition::from_json(&flow_text);
        }));
        inputs += 1;
        if outcome.is_err() {
            panics += 1;
            if panics <= 10 {
                let what = LAST_PANIC.lock().map(|l| l.clone()).unwrap_or_default();
                eprintln!("PANIC {what}\n  prompt {prompt:?}\n  app {app:?}\n  flow {flow_text:?}");
            }
        }
    }
    println!("fuzz: {inputs} inputs in {seconds} s (seed {seed}), {panics} panics");
    std::process::exit(if panics == 0 { 0 } else { 1 });
}
