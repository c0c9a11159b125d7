//! The entry points: `POST /api/v1/route` and `patchbay route` reach the LLM through the
//! same routing service, and obey their per-call switches.

use super::{KEY, MODEL, PROMPT_TEXT, answering, content, llm_settings, requests_to, teams_answer};
use patchbay::config::Settings;
use patchbay::startup::Application;
use serde_json::{Value, json};
use wiremock::MockServer;

#[tokio::test]
async fn the_route_api_uses_the_llm_when_configured_and_obeys_llm_false() {
    let server = answering(content(&teams_answer())).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        seed_demo: false,
        llm: llm_settings(&server, 3000),
        ..Settings::default()
    };
    let app = Application::build(settings).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let body = json!({"prompt": PROMPT_TEXT});
    let with: Value =
        client.post(format!("{base}/api/v1/route")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(with["decided_by"], "llm", "{with}");
    assert_eq!(with["selected"][0]["connector"], "microsoft_teams");
    let without: Value =
        client.post(format!("{base}/api/v1/route?llm=false")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(without["decided_by"], "rules");
    assert_eq!(requests_to(&server).await.len(), 1);
    let _ = stop.send(());
    running.await.unwrap().unwrap();
}

/// `patchbay route` with the environment pointing at the fake model; run from an empty
/// directory so that no patchbay.toml is read.
async fn patchbay_route(server: &MockServer, args: &[&str], stdin: &str) -> Vec<Value> {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .arg("route")
        .args(args)
        .current_dir(dir.path())
        .env("PATCHBAY_LLM__BASE_URL", format!("{}/v1", server.uri()))
        .env("PATCHBAY_LLM__MODEL", MODEL)
        .env("PATCHBAY_LLM__API_KEY", KEY)
        .env("PATCHBAY_LLM__ENABLED", "false")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run patchbay");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains(KEY), "the key leaked on stderr: {stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::Deserializer::from_str(&text).into_iter::<Value>().map(|v| v.expect("JSON output")).collect()
}

#[tokio::test]
async fn patchbay_route_llm_forces_the_model_and_no_llm_forbids_it() {
    let server = answering(content(&teams_answer())).await;
    let forced = patchbay_route(&server, &["--llm", PROMPT_TEXT], "").await;
    assert_eq!(forced[0]["decided_by"], "llm", "{forced:?}");
    assert_eq!(forced[0]["prompt_version"], patchbay::intent::prompt::version());
    let plain = patchbay_route(&server, &[PROMPT_TEXT], "").await;
    assert_eq!(plain[0]["decided_by"], "rules", "llm.enabled is false");
    let refused = patchbay_route(&server, &["--no-llm", PROMPT_TEXT], "").await;
    assert_eq!(refused[0]["decided_by"], "rules");
    assert_eq!(requests_to(&server).await.len(), 1, "only --llm asked the model");
    let lines =
        format!("{}\nnot json\n{}\n", json!({"prompt": PROMPT_TEXT}), json!({"prompt": "make the header blue"}));
    let stream = patchbay_route(&server, &["--jsonl", "--llm"], &lines).await;
    assert_eq!(stream.len(), 3, "one output line per input line");
    assert_eq!(stream[0]["decided_by"], "llm");
    assert!(stream[1]["error"].is_string());
    assert_eq!(stream[2]["prompt_version"], patchbay::intent::prompt::version());
}
