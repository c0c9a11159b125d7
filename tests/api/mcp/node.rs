//! A real MCP client from npm (the official TypeScript SDK, tests/peers/mcp) against the
//! app's server: it connects over Streamable HTTP, lists the tools and searches; as a
//! client that opens links, it is sent the connect page and hears when the tool arrives.

use crate::actions::fixture::{all_scopes, app_key, connect, outbox};
use crate::helpers::{TODO_APP, TestApp};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

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

/// A node script the test talks with: it prints one JSON object per line and reads lines
/// the test writes (the sign that a person did their part).
struct Conversation {
    node: tokio::process::Child,
    said: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl Conversation {
    fn start(script: &str, env: &[(&str, String)]) -> Self {
        let mut command = tokio::process::Command::new("node");
        command.arg(script).current_dir(peer_dir()).stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut node = command.spawn().expect("node runs");
        let said = BufReader::new(node.stdout.take().unwrap()).lines();
        Self { node, said }
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(60), self.said.next_line()).await;
        let line = line.expect("node answers in time").unwrap().expect("a line");
        serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    async fn say(&mut self, line: &str) {
        let stdin = self.node.stdin.as_mut().expect("node's input");
        stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    }

    async fn finished(mut self) -> bool {
        self.node.wait().await.unwrap().success()
    }
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

#[tokio::test]
async fn the_official_typescript_client_opens_the_connect_page_and_its_retry_succeeds() {
    if !installed() {
        return;
    }
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let inputs = serde_json::json!({"to": "ada@example.com", "subject": "Stock", "body": "Two boxes left."});
    let env = [
        ("MCP_URL", app.url(&format!("/mcp/apps/{TODO_APP}"))),
        ("MCP_KEY", key),
        ("ACTION", "gmail.send_email".to_owned()),
        ("INPUTS", inputs.to_string()),
    ];
    let mut node = Conversation::start("connect_on_demand.mjs", &env);

    let first = node.next().await;
    let elicitation = &first["elicitation"];
    assert_eq!(elicitation["mode"], "url", "{first}");
    assert_eq!(elicitation["url"], app.url("/apps/1/integrations/connect?connector=gmail&action=send_email").as_str());
    assert!(elicitation["message"].as_str().unwrap().contains("Connect Gmail"), "{first}");
    assert!(outbox(&app).await.is_empty());

    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    node.say("done").await;
    let last = node.next().await;
    assert_eq!(last["retry"]["isError"], false, "{last}");
    assert_eq!(last["retry"]["structuredContent"]["ok"], true, "{last}");
    let tools: Vec<&str> = last["tools"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(tools.contains(&"gmail__send_email"), "the list it fetched again: {tools:?}");
    assert_eq!(outbox(&app).await.len(), 1);
    assert!(node.finished().await);
}

#[tokio::test]
async fn the_official_typescript_client_signs_in_with_oauth_after_a_builder_allows_it() {
    if !installed() {
        return;
    }
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let mut node = Conversation::start("oauth_agent.mjs", &[("MCP_URL", app.url(&format!("/mcp/apps/{TODO_APP}")))]);

    // The person the client sent to patchbay: an editor, who allows it.
    let first = node.next().await;
    let authorize = first["authorize"].as_str().unwrap_or_else(|| panic!("{first}")).to_owned();
    assert!(authorize.starts_with(&app.url("/mcp/oauth/authorize?")), "{authorize}");
    let editor = app.signed_in(crate::helpers::EDITOR).await;
    let page = crate::helpers::text(editor.get(&authorize).send().await.unwrap(), 200).await;
    assert!(page.contains("Let Node test agent use Todo"), "{page}");
    let query: Vec<(String, String)> = url::Url::parse(&authorize).unwrap().query_pairs().into_owned().collect();
    let mut form = query.clone();
    form.push(("decision".into(), "allow".into()));
    let back = editor.post(app.url("/mcp/oauth/authorize")).form(&form).send().await.unwrap();
    let to = url::Url::parse(&crate::helpers::location(&back)).unwrap();
    let code = to.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();

    node.say(&code).await;
    let last = node.next().await;
    assert_eq!(last["token_type"], "Bearer", "{last}");
    let tools: Vec<&str> = last["tools"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(tools.contains(&"search_tools") && tools.contains(&"gmail__send_email"), "{tools:?}");
    assert!(node.finished().await);
}
