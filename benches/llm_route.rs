//! What the LLM path costs beyond the model's own latency (target: under 2 ms). wiremock
//! plays an OpenAI-compatible endpoint that answers at once, so the LLM route's time is
//! patchbay's work (offline route, candidates, prompt, JSON both ways, checks, merge)
//! plus one loopback HTTP exchange. Measured:
//! - `offline`: the router alone;
//! - `llm_uncached`: the whole LLM path, cache off;
//! - `llm_cached`: an identical request answered from the cache;
//! - `raw_roundtrip`: the same request body posted with a bare HTTP client — the
//!   "model's own latency" of this fake model.
//!
//! After criterion, a plain timing loop prints the overhead both ways: LLM path minus
//! offline route (conservative: it still includes the HTTP exchange), and minus the raw
//! round trip as well. Run with `cargo bench --bench llm_route`.

use criterion::Criterion;
use patchbay::catalog::Catalog;
use patchbay::config::LlmSettings;
use patchbay::intent::OpenAiModel;
use patchbay::intent::prompt::PROMPT;
use patchbay::ranking::{DecidedBy, RouteMode, RouteRequest, Router, RoutingService, model_input};
use serde_json::json;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROMPT_TEXT: &str = "let the team know when a big order lands";

fn answer() -> ResponseTemplate {
    let decision = json!({
        "selected": [{"connector": "microsoft_teams", "role": "action", "actions": ["microsoft_teams.post_message"]}],
        "intent": {
            "trigger": {"kind": "event", "text": "when a big order lands", "connector": null, "operation": null},
            "actions": [{"verb": "post", "object": "order alert", "connector": "microsoft_teams",
                         "operation": "microsoft_teams.post_message"}],
            "data": ["Order.total"], "targets": ["the team"]
        },
        "reason": "The team chat hears about big orders."
    });
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 1_700_000_000u32, "model": "bench",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": decision.to_string()}, "finish_reason": "stop"}]
    }))
}

struct Setup {
    rt: tokio::runtime::Runtime,
    _server: MockServer,
    url: String,
    router: Arc<Router>,
    uncached: RoutingService,
    cached: RoutingService,
    request: RouteRequest,
    body: serde_json::Value,
    http: reqwest::Client,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let server = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST")).respond_with(answer()).mount(&server).await;
        server
    });
    let router = Arc::new(Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));
    let settings = LlmSettings {
        enabled: true,
        base_url: format!("{}/v1", server.uri()),
        model: "bench".into(),
        timeout_ms: 5000,
        cache_entries: 0,
        ..LlmSettings::default()
    };
    let uncached = RoutingService::from_settings(router.clone(), &settings).expect("service");
    let cached = RoutingService::from_settings(router.clone(), &LlmSettings { cache_entries: 16, ..settings.clone() })
        .expect("service");
    let request = RouteRequest::from_json(&json!({
        "prompt": PROMPT_TEXT,
        "app": {"entities": [{"name": "Order", "fields": ["number", "total"]}]}
    }))
    .expect("request");
    let first = rt.block_on(uncached.route(&request, RouteMode::Llm)).expect("route");
    assert_eq!(first.decided_by, DecidedBy::Llm, "{:?}", first.fallback_reason);
    // The exact body the adapter sends, for the raw round trip.
    let offline = router.route(&request).expect("offline");
    let input = model_input(router.catalog(), &request, &offline);
    let body = serde_json::to_value(OpenAiModel::new(&settings).expect("model").request(&input)).expect("body");
    assert!(PROMPT.examples.len() > 1);
    Setup {
        rt,
        url: format!("{}/v1/chat/completions", server.uri()),
        _server: server,
        router,
        uncached,
        cached,
        request,
        body,
        http: reqwest::Client::new(),
    }
}

fn raw_roundtrip(s: &Setup) {
    s.rt.block_on(async {
        let response = s.http.post(&s.url).json(&s.body).send().await.expect("send");
        black_box(response.bytes().await.expect("body"));
    });
}

fn bench(c: &mut Criterion, s: &Setup) {
    let mut g = c.benchmark_group("llm_route");
    g.bench_function("offline", |b| b.iter(|| s.router.route(black_box(&s.request)).expect("route")));
    g.bench_function("llm_uncached", |b| {
        b.iter(|| s.rt.block_on(s.uncached.route(black_box(&s.request), RouteMode::Llm)).expect("route"))
    });
    g.bench_function("llm_cached", |b| {
        b.iter(|| s.rt.block_on(s.cached.route(black_box(&s.request), RouteMode::Llm)).expect("route"))
    });
    g.bench_function("raw_roundtrip", |b| b.iter(|| raw_roundtrip(s)));
    g.finish();
}

/// Median of `n` timings of `f`.
fn median(n: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn main() {
    let s = setup();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &s);
    c.final_summary();

    let n = 400;
    let offline = median(n, || drop(s.router.route(&s.request)));
    let llm = median(n, || drop(s.rt.block_on(s.uncached.route(&s.request, RouteMode::Llm))));
    let cached = median(n, || drop(s.rt.block_on(s.cached.route(&s.request, RouteMode::Llm))));
    let raw = median(n, || raw_roundtrip(&s));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "\nmedians over {n} runs: offline {:.3} ms, LLM path {:.3} ms, cached {:.3} ms, raw round trip {:.3} ms",
        ms(offline),
        ms(llm),
        ms(cached),
        ms(raw)
    );
    println!(
        "overhead beyond the offline route: {:.3} ms (includes the HTTP exchange); beyond offline + raw round trip: {:.3} ms (target < 2 ms)",
        ms(llm.saturating_sub(offline)),
        ms(llm.saturating_sub(offline + raw))
    );
}
