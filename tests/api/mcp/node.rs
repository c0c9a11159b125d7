//! A real MCP client from npm (the official TypeScript SDK, tests/peers/mcp) against the
//! app's server: it connects over Streamable HTTP, lists the tools and searches.

use crate::actions::fixture::{all_scopes, app_key, connect};
use crate::helpers::{TODO_APP, TestApp};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/mcp")
}

/// False (with a notice) when the SDK is not installed and CI is not set.
fn installed() -> bool {
    if peer_dir().join("node_modules/@modelcontextprotocol/sdk").exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("tests/peers/mcp/node_modules is missing in CI: scripts/test installs it");
    }
    eprintln!(
        "NOTICE: @modelcontextprotocol/sdk is not installed (run scripts/test): skipping the npm MCP client test"
    );
    false
}

#[tokio::test]
async fn the_official_typescript_client_lists_the_tools_and_searches() {
    if !installed() {
        return;
    }
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let run = tokio::process::Command::new("node")
        .arg("client.mjs")
        .current_dir(peer_dir())
        .env("MCP_URL", app.url(&format!("/mcp/apps/{TODO_APP}")))
        .env("MCP_KEY", &key)
        .env("TASK", "open an issue on GitHub about the broken login page")
        .kill_on_drop(true)
        .output();
    let output =
        tokio::time::timeout(Duration::from_secs(60), run).await.expect("node answers in time").expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let answer: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(answer["server"]["name"], "patchbay", "{answer}");
    assert_eq!(answer["protocol"], "2025-11-25", "{answer}");
    let tools: Vec<&str> = answer["tools"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(tools.contains(&"search_tools") && tools.contains(&"execute"), "{tools:?}");
    assert!(tools.contains(&"gmail__send_email"), "{tools:?}");
    let search = &answer["search"];
    assert_eq!(search["isError"], false, "{search}");
    let results = search["structuredContent"]["results"].as_array().unwrap();
    assert!(results.len() <= 3);
    assert_eq!(results[0]["connector"], "github", "{search}");
    assert_eq!(results[0]["connected"], false);
}
