//! The LLM path against wiremock playing an OpenAI-compatible server: both answer shapes,
//! every way an answer can be refused, the time budget under 429/5xx/slow answers, what
//! the request carries, the cache, and that the rules answer is untouched without it.

use patchbay::catalog::Catalog;
use patchbay::config::{AnswerFormat, LlmSettings};
use patchbay::intent::prompt::PROMPT;
use patchbay::ranking::{CANDIDATES, DecidedBy, RouteMode, RouteRequest, RouteResult, Router, RoutingService};
use serde_json::{Value, json};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The same path through the server's API and through `patchbay route`.
mod entry_points;

const KEY: &str = "sk-test-7f3a9c-never-print-me";
const MODEL: &str = "test-model";
const PROMPT_TEXT: &str = "let the team know when a big order lands";

static ROUTER: LazyLock<Arc<Router>> =
    LazyLock::new(|| Arc::new(Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router")));

fn llm_settings(server: &MockServer, timeout_ms: u64) -> LlmSettings {
    LlmSettings {
        enabled: true,
        base_url: format!("{}/v1", server.uri()),
        api_key: Some(KEY.to_owned().into()),
        model: MODEL.into(),
        timeout_ms,
        answer_format: AnswerFormat::JsonSchema,
        cache_entries: 64,
    }
}

fn service(settings: &LlmSettings) -> RoutingService {
    RoutingService::from_settings(ROUTER.clone(), settings).expect("service")
}

/// A service whose router has already answered this request once, so that a timing
/// measures the LLM path, not the first build of the index.
fn warm(settings: &LlmSettings, req: &RouteRequest) -> RoutingService {
    ROUTER.route(req).expect("offline");
    service(settings)
}

fn request(prompt: &str) -> RouteRequest {
    let app = json!({"entities": [{"name": "Order", "fields": ["number", "total"]}]});
    RouteRequest::from_json(&json!({"prompt": prompt, "app": app})).expect("request")
}

/// An answer in the schema, selecting `picks` (connector, role, operations).
fn answer(picks: &[(&str, &str, &[&str])]) -> String {
    let selected: Vec<Value> =
        picks.iter().map(|(c, role, ops)| json!({"connector": c, "role": role, "actions": ops})).collect();
    json!({
        "selected": selected,
        "intent": {
            "trigger": {"kind": "event", "text": "when a big order lands", "connector": null, "operation": null},
            "actions": [{"verb": "post", "object": "order alert", "connector": null, "operation": null}],
            "data": ["Order.total"],
            "targets": ["the team"]
        },
        "reason": "The team chat hears about big orders."
    })
    .to_string()
}

fn completion(message: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000u32, "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
    }))
}

fn content(text: &str) -> ResponseTemplate {
    completion(json!({"role": "assistant", "content": text}))
}

fn tool_call(arguments: &str) -> ResponseTemplate {
    completion(json!({"role": "assistant", "content": null, "tool_calls": [{
        "id": "call_1", "type": "function", "function": {"name": "route_decision", "arguments": arguments}
    }]}))
}

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(template).mount(&server).await;
    server
}

async fn requests_to(server: &MockServer) -> Vec<Value> {
    let received = server.received_requests().await.unwrap_or_default();
    received.iter().map(|r| serde_json::from_slice(&r.body).expect("JSON body")).collect()
}

fn teams_answer() -> String {
    answer(&[("microsoft_teams", "action", &["microsoft_teams.post_message"])])
}

fn assert_is_the_rules_answer(result: &RouteResult, req: &RouteRequest, reason_start: &str) {
    let offline = ROUTER.route(req).expect("offline");
    assert_eq!(result.decided_by, DecidedBy::Rules);
    let reason = result.fallback_reason.as_deref().unwrap_or_default();
    assert!(reason.starts_with(reason_start), "{reason}");
    assert_eq!(result.selected, offline.selected);
    assert_eq!(result.ranked, offline.ranked);
    assert_eq!(result.intent, offline.intent);
    assert_eq!(result.prompt_version.as_deref(), Some(patchbay::intent::prompt::version()));
}

#[tokio::test]
async fn a_json_answer_in_the_content_decides() {
    let server = answering(content(&teams_answer())).await;
    let req = request(PROMPT_TEXT);
    let result = service(&llm_settings(&server, 3000)).route(&req, RouteMode::Default).await.unwrap();
    assert_eq!(result.decided_by, DecidedBy::Llm);
    assert_eq!(result.selected_ids(), ["microsoft_teams"]);
    assert_eq!(result.selected[0].actions, ["microsoft_teams.post_message"]);
    assert_eq!(result.ranked[0].connector, "microsoft_teams");
    assert!(result.ranked.len() >= 12);
    assert_eq!(result.fallback_reason, None);
    assert_eq!(result.prompt_version.as_deref(), Some(patchbay::intent::prompt::version()));
    let note = result.llm.expect("llm note");
    assert_eq!((note.model.as_str(), note.reason.as_str()), (MODEL, "The team chat hears about big orders."));
    assert!(note.dropped.is_empty());
    let action = &result.intent.actions[0];
    assert_eq!(action.operation.as_deref(), Some("microsoft_teams.post_message"));
}

#[tokio::test]
async fn a_tool_call_answer_decides_when_the_endpoint_is_asked_for_one() {
    let server = answering(tool_call(&teams_answer())).await;
    let mut settings = llm_settings(&server, 3000);
    settings.answer_format = AnswerFormat::ToolCall;
    let result = service(&settings).route(&request(PROMPT_TEXT), RouteMode::Default).await.unwrap();
    assert_eq!(result.decided_by, DecidedBy::Llm);
    assert_eq!(result.selected_ids(), ["microsoft_teams"]);
    let body = &requests_to(&server).await[0];
    assert_eq!(body["tools"][0]["function"]["name"], "route_decision");
    assert_eq!(body["tools"][0]["function"]["parameters"], PROMPT.schema);
    assert_eq!(body["tool_choice"]["function"]["name"], "route_decision");
    assert!(body.get("response_format").is_none());
}

#[tokio::test]
async fn malformed_json_falls_back_to_the_rules() {
    let server = answering(content("{\"selected\": [ oops")).await;
    let req = request(PROMPT_TEXT);
    let result = service(&llm_settings(&server, 3000)).route(&req, RouteMode::Default).await.unwrap();
    assert_is_the_rules_answer(&result, &req, "bad_answer:");
    let wrong_shape = answering(content(r#"{"selected": "slack", "reason": 3}"#)).await;
    let result = service(&llm_settings(&wrong_shape, 3000)).route(&req, RouteMode::Default).await.unwrap();
    assert_is_the_rules_answer(&result, &req, "bad_answer:");
}

#[tokio::test]
async fn unknown_connectors_and_operations_are_dropped_and_named() {
    let picks = answer(&[
        ("myspace", "action", &["myspace.post"]),
        ("microsoft_teams", "action", &["microsoft_teams.fly_to_the_moon", "post_message"]),
    ]);
    let server = answering(content(&picks)).await;
    let result = service(&llm_settings(&server, 3000)).route(&request(PROMPT_TEXT), RouteMode::Default).await.unwrap();
    assert_eq!(result.decided_by, DecidedBy::Llm);
    assert_eq!(result.selected_ids(), ["microsoft_teams"]);
    assert_eq!(result.selected[0].actions, ["microsoft_teams.post_message"], "a bare operation id is completed");
    let dropped = result.llm.unwrap().dropped.join(" | ");
    assert!(dropped.contains("unknown connector 'myspace'"), "{dropped}");
    assert!(dropped.contains("fly_to_the_moon"), "{dropped}");

    let nothing_left = answering(content(&answer(&[("myspace", "action", &[])]))).await;
    let req = request(PROMPT_TEXT);
    let result = service(&llm_settings(&nothing_left, 3000)).route(&req, RouteMode::Default).await.unwrap();
    assert_is_the_rules_answer(&result, &req, "bad_answer: no usable connector");
}

#[tokio::test]
async fn a_connector_outside_the_candidates_is_refused_unless_the_request_names_it() {
    let req = request(PROMPT_TEXT);
    let offline = ROUTER.route(&req).unwrap();
    let shown: Vec<&str> = offline.ranked.iter().take(CANDIDATES).map(|r| r.connector.as_str()).collect();
    assert!(!shown.contains(&"bamboohr"), "precondition: BambooHR is not a candidate for {PROMPT_TEXT}");
    let server = answering(content(&answer(&[("bamboohr", "action", &["bamboohr.list_employees"])]))).await;
    let result = service(&llm_settings(&server, 3000)).route(&req, RouteMode::Default).await.unwrap();
    assert_is_the_rules_answer(&result, &req, "bad_answer: no usable connector");
    assert!(result.fallback_reason.unwrap().contains("not among the candidates"));

    // Named in the request: allowed (the builder's own words point at it).
    let named = request("let the team know in Discord when a big order lands");
    let server = answering(content(&answer(&[("discord", "action", &["discord.post_message"])]))).await;
    let result = service(&llm_settings(&server, 3000)).route(&named, RouteMode::Default).await.unwrap();
    assert_eq!(result.decided_by, DecidedBy::Llm, "{:?}", result.fallback_reason);
    assert_eq!(result.selected_ids(), ["discord"]);
}

#[tokio::test]
async fn a_slow_model_times_out_within_the_budget() {
    let server = answering(content(&teams_answer()).set_delay(Duration::from_secs(10))).await;
    let req = request(PROMPT_TEXT);
    let service = warm(&llm_settings(&server, 400), &req);
    let started = Instant::now();
    let result = service.route(&req, RouteMode::Default).await.unwrap();
    let elapsed = started.elapsed();
    assert_is_the_rules_answer(&result, &req, "timeout:");
    assert!(elapsed < Duration::from_millis(900), "took {elapsed:?} with a 400 ms budget");
    assert_eq!(requests_to(&server).await.len(), 1, "no retry once the budget is spent");
}

#[tokio::test]
async fn a_429_with_a_long_retry_after_does_not_stall_the_request() {
    let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "60")).await;
    let req = request(PROMPT_TEXT);
    let service = warm(&llm_settings(&server, 1500), &req);
    let started = Instant::now();
    let result = service.route(&req, RouteMode::Default).await.unwrap();
    let elapsed = started.elapsed();
    assert_is_the_rules_answer(&result, &req, "rate_limited:");
    assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?}: the 60 s Retry-After was honoured");
    assert_eq!(requests_to(&server).await.len(), 1, "a retry after 60 s does not fit a 1.5 s budget");
}

#[tokio::test]
async fn a_429_with_a_short_retry_after_is_retried_once_and_only_once() {
    let server = answering(ResponseTemplate::new(429).insert_header("retry-after", "0")).await;
    let req = request(PROMPT_TEXT);
    let result = service(&llm_settings(&server, 2000)).route(&req, RouteMode::Default).await.unwrap();
    assert_is_the_rules_answer(&result, &req, "rate_limited:");
    assert_eq!(requests_to(&server).await.len(), 2);
}

#[tokio::test]
async fn a_500_is_retried_once_then_the_rules_answer() {
    let server = answering(ResponseTemplate::new(500).set_body_string("upstream exploded")).await;
    let req = request(PROMPT_TEXT);
    let warmed = warm(&llm_settings(&server, 2000), &req);
    let started = Instant::now();
    let result = warmed.route(&req, RouteMode::Default).await.unwrap();
    assert_is_the_rules_answer(&result, &req, "server_error: the model endpoint answered 500");
    assert!(!result.fallback_reason.unwrap().contains("exploded"), "the provider's text stays out");
    assert!(started.elapsed() < Duration::from_millis(2000));
    assert_eq!(requests_to(&server).await.len(), 2);

    let flaky = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).up_to_n_times(1).mount(&flaky).await;
    Mock::given(method("POST")).respond_with(content(&teams_answer())).mount(&flaky).await;
    let result = service(&llm_settings(&flaky, 2000)).route(&req, RouteMode::Default).await.unwrap();
    assert_eq!(result.decided_by, DecidedBy::Llm, "the retry succeeded");
}

#[tokio::test]
async fn the_request_carries_the_model_the_schema_and_the_candidates_never_the_catalog() {
    let server = answering(content(&teams_answer())).await;
    let mut req = request("email me a summary of new orders every friday");
    req.chips = vec!["zendesk".into()];
    service(&llm_settings(&server, 3000)).route(&req, RouteMode::Default).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].headers.get("authorization").unwrap().to_str().unwrap(), format!("Bearer {KEY}"));
    let body: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["model"], MODEL);
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["response_format"]["json_schema"]["schema"], PROMPT.schema);
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let last = messages.last().unwrap();
    let input: Value = serde_json::from_str(last["content"].as_str().unwrap()).unwrap();
    assert_eq!(input["request"], "email me a summary of new orders every friday");
    assert_eq!(input["chips"], json!(["zendesk"]));
    let ids: Vec<&str> = input["candidates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    let offline = ROUTER.route(&req).unwrap();
    let top: Vec<&str> = offline.ranked.iter().take(CANDIDATES).map(|r| r.connector.as_str()).collect();
    assert_eq!(&ids[..top.len()], &top[..], "the router's top candidates, in order");
    assert!(ids.contains(&"zendesk"), "a chip is always shown");
    assert!(ids.len() <= CANDIDATES + 1);
    let gmail = &input["candidates"][0];
    assert_eq!(gmail["id"], "gmail");
    assert!(gmail["actions"][0]["id"].as_str().unwrap().starts_with("gmail."));
    assert!(gmail["actions"][0]["scopes"].as_array().is_some_and(|s| !s.is_empty()));
    // Every other connector stays out of what the model reads about this request.
    let text = last["content"].as_str().unwrap();
    for c in ROUTER.catalog().iter().filter(|c| !ids.contains(&c.id.as_str())) {
        assert!(!text.contains(&format!("\"{}\"", c.id)), "{} leaked into the input", c.id);
    }
}

#[tokio::test]
async fn an_identical_request_is_answered_from_the_cache() {
    let server = answering(content(&teams_answer())).await;
    let service = service(&llm_settings(&server, 3000));
    let req = request(PROMPT_TEXT);
    let first = service.route(&req, RouteMode::Default).await.unwrap();
    let again = service.route(&req, RouteMode::Default).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(requests_to(&server).await.len(), 1, "the second answer came from the cache");
    let mut other = req.clone();
    other.app.connected = vec!["slack".into()];
    service.route(&other, RouteMode::Default).await.unwrap();
    assert_eq!(requests_to(&server).await.len(), 2, "another app context is another question");
}

#[tokio::test]
async fn with_the_llm_disabled_or_forbidden_the_offline_answer_is_unchanged() {
    let server = answering(content(&teams_answer())).await;
    let mut settings = llm_settings(&server, 3000);
    settings.enabled = false;
    let disabled = service(&settings);
    for prompt in [PROMPT_TEXT, "make the header sticky", "Log each new order as a row in Google Sheets"] {
        let req = request(prompt);
        let result = disabled.route(&req, RouteMode::Default).await.unwrap();
        assert_eq!(result, ROUTER.route(&req).unwrap());
        assert_eq!((result.fallback_reason, result.prompt_version, result.llm), (None, None, None));
    }
    let enabled = service(&llm_settings(&server, 3000));
    let result = enabled.route(&request(PROMPT_TEXT), RouteMode::NoLlm).await.unwrap();
    assert_eq!(result, ROUTER.route(&request(PROMPT_TEXT)).unwrap());
    assert!(requests_to(&server).await.is_empty(), "the model was never asked");
    // --llm forces it even when not enabled by default.
    let forced = disabled.route(&request(PROMPT_TEXT), RouteMode::Llm).await.unwrap();
    assert_eq!(forced.decided_by, DecidedBy::Llm);
}

/// Collects every log line of the test's thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_api_key_never_shows_in_logs_errors_or_output() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let echo = format!(r#"{{"error": {{"message": "Incorrect API key provided: {KEY}", "code": "invalid_api_key"}}}}"#);
    let refused = answering(ResponseTemplate::new(401).set_body_string(echo)).await;
    let service_refused = service(&llm_settings(&refused, 2000));
    let result = service_refused.route(&request(PROMPT_TEXT), RouteMode::Default).await.unwrap();
    assert!(result.fallback_reason.as_deref().unwrap().starts_with("refused: the model endpoint answered 401"));
    let working = answering(content(&teams_answer())).await;
    let service_working = service(&llm_settings(&working, 2000));
    let decided = service_working.route(&request(PROMPT_TEXT), RouteMode::Default).await.unwrap();
    assert_eq!(decided.decided_by, DecidedBy::Llm);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains(patchbay::intent::prompt::version()), "the prompt version is logged:\n{logs}");
    for shown in [
        logs,
        serde_json::to_string(&result).unwrap(),
        serde_json::to_string(&decided).unwrap(),
        format!("{service_refused:?}"),
        format!("{:?}", llm_settings(&refused, 1)),
    ] {
        assert!(!shown.contains(KEY), "the key leaked into: {shown}");
    }
}
