//! The app's MCP server (`/mcp/apps/{app}`), driven by rmcp's own client over Streamable
//! HTTP against the real server: the handshake, the tool list, search, execute against the
//! sandbox, authorization on demand through to a successful retry, the key, the audit log.

mod agents;
mod node;
mod oauth;
mod person;
mod sessions;
mod shared;
mod wire;

use crate::actions::fixture::{all_scopes, app_key, connect, outbox, stored_token};
use crate::helpers::{self, EDITOR, TODO_APP, TestApp, location};
use crate::sandbox::drive::decide;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig, ProtocolVersion};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

pub type Agent = RunningService<RoleClient, ClientConfig>;

/// An MCP client of the Todo app's server, opened with `key`.
pub async fn agent(app: &TestApp, key: &str) -> Result<Agent, rmcp::service::ClientInitializeError> {
    let config =
        StreamableHttpClientTransportConfig::with_uri(app.url(&format!("/mcp/apps/{TODO_APP}"))).auth_header(key);
    let transport = StreamableHttpClientTransport::from_config(config);
    let info = ClientConfig::default().with_protocol_version(ProtocolVersion::V_2025_11_25);
    info.serve(transport).await
}

/// Any client will do: the call goes through its peer.
/// A JSON-RPC message POSTed as a client without an SDK sends it, to `path` (an app's MCP
/// server), in a session when one is given.
pub async fn raw_post(
    app: &TestApp,
    path: &str,
    bearer: &str,
    session: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(bearer)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(body);
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    request.send().await.unwrap()
}

pub async fn call(agent: &rmcp::Peer<RoleClient>, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else { panic!("arguments are an object") };
    agent
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
        .await
        .expect("the call is answered")
}

/// The call's structured answer.
pub fn answer(result: &CallToolResult) -> Value {
    result.structured_content.clone().unwrap_or(Value::Null)
}

/// The call's text, as a client shows it to a model.
fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).map(|t| t.text.clone()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn an_agent_shakes_hands_and_sees_the_meta_tools_and_the_connected_tools_actions() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let agent = agent(&app, &key).await.expect("the handshake succeeds");
    let info = agent.peer_info().expect("the server introduced itself");
    assert_eq!(info.protocol_version, ProtocolVersion::V_2025_11_25);
    assert_eq!(info.server_info.as_ref().map(|s| s.name.as_str()), Some("patchbay"));
    assert!(info.capabilities.tools.is_some());
    let names: Vec<String> = agent.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    assert_eq!(&names[..2], ["search_tools", "execute"]);
    assert!(names.contains(&"gmail__send_email".to_owned()), "{names:?}");
    assert!(names.iter().skip(2).all(|n| n.starts_with("gmail__")), "only the connected tool's actions: {names:?}");
    let tools = agent.list_all_tools().await.unwrap();
    let send = tools.iter().find(|t| t.name == "gmail__send_email").unwrap();
    let schema = Value::Object((*send.input_schema).clone());
    assert_eq!(schema["required"], json!(["to", "subject", "body"]));
    agent.cancel().await.unwrap();
}

#[tokio::test]
async fn an_agent_on_a_newer_protocol_is_answered_on_the_revision_this_server_follows() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let config =
        StreamableHttpClientTransportConfig::with_uri(app.url(&format!("/mcp/apps/{TODO_APP}"))).auth_header(key);
    let newest = ClientConfig::default().serve(StreamableHttpClientTransport::from_config(config)).await;
    let agent = newest.expect("rmcp's default client, on its newest revision, still connects");
    assert_eq!(agent.peer_info().unwrap().protocol_version, ProtocolVersion::V_2025_11_25);
    assert_eq!(agent.list_all_tools().await.unwrap().len(), 2, "the meta-tools: nothing is connected");
}

#[tokio::test]
async fn search_finds_the_action_for_a_task_and_says_whether_the_app_can_run_it() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let agent = agent(&app, &key).await.unwrap();

    let found = answer(
        &call(&agent, "search_tools", json!({"task": "mail our new supplier a short hello through Gmail"})).await,
    );
    let first = &found["results"][0];
    assert_eq!(first["action"], "gmail.send_email", "{found}");
    assert_eq!((first["connected"].as_bool(), first["ready"].as_bool()), (Some(true), Some(true)), "{first}");
    assert_eq!(first["input_schema"]["properties"]["subject"]["type"], "string");

    let task = json!({"task": "append this week's expenses as a row in a Google Sheets file", "limit": 3});
    let result = call(&agent, "search_tools", task).await;
    let found = answer(&result);
    assert!(found["results"].as_array().unwrap().len() <= 3);
    let first = &found["results"][0];
    assert_eq!(first["connector"], "google_sheets", "{found}");
    assert_eq!(first["connected"], false);
    let connect_at = app.url("/apps/1/integrations/connect?connector=google_sheets&action=");
    assert!(first["connect_url"].as_str().unwrap().starts_with(&connect_at), "{first}");
    let permissions = first["missing_permissions"].as_array().unwrap();
    assert!(!permissions.is_empty() && permissions.iter().all(|p| !p.as_str().unwrap().contains("://")), "{first}");
    assert!(!text(&result).contains("googleapis.com/auth"), "no raw scopes reach the agent");

    // An action patchbay cannot run yet says so, and sends no one to connect for it.
    let found = answer(&call(&agent, "search_tools", json!({"task": "post a message to our Discord server"})).await);
    let discord = found["results"].as_array().unwrap().iter().find(|r| r["connector"] == "discord").expect("Discord");
    assert_eq!((discord["runnable"].as_bool(), discord["ready"].as_bool()), (Some(false), Some(false)), "{discord}");
    assert!(discord["connect_url"].is_null(), "{discord}");

    let empty = call(&agent, "search_tools", json!({"task": "   "})).await;
    assert_eq!(empty.is_error, Some(true));
    assert!(text(&empty).contains("task"));
}

#[tokio::test]
async fn execute_runs_the_action_through_the_sandbox_as_the_app_api_does() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let agent = agent(&app, &key).await.unwrap();
    let inputs = json!({"to": "ada@example.com", "subject": "Shift swap", "body": "Can you cover Friday?"});
    let result = call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": inputs})).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    let done = answer(&result);
    assert_eq!((done["ok"].as_bool(), done["provider_status"].as_u64()), (Some(true), Some(200)), "{done}");
    assert!(done["output"]["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(serde_json::from_str::<Value>(&text(&result)).unwrap(), done, "the text is the same JSON");
    let sent = &outbox(&app).await[0];
    assert_eq!(sent["summary"], "Gmail: email to ada@example.com, subject 'Shift swap'", "{sent}");

    // The listed action tool takes the inputs themselves.
    let inputs = json!({"to": "eddie@example.com", "subject": "Rota", "body": "Attached below."});
    let result = call(&agent, "gmail__send_email", inputs).await;
    assert_eq!(answer(&result)["ok"], true, "{}", text(&result));
    assert_eq!(outbox(&app).await.len(), 2);

    // Inputs sent as a JSON string, as models now and then do, are read as the object.
    let inputs = json!({"to": "una@example.com", "subject": "Keys", "body": "At the desk."}).to_string();
    let result = call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": inputs})).await;
    assert_eq!(answer(&result)["ok"], true, "{}", text(&result));
    assert_eq!(outbox(&app).await.len(), 3);

    // A wrong input is named, and nothing is sent.
    let result = call(&agent, "gmail__send_email", json!({"to": "nobody", "subject": "s", "body": "b"})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).starts_with("inputs.to"), "{}", text(&result));
    assert_eq!(outbox(&app).await.len(), 3);
}

#[tokio::test]
async fn an_unconnected_tool_answers_with_the_page_where_an_editor_connects_it_and_the_retry_succeeds() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let agent = agent(&app, &key).await.unwrap();
    let inputs = json!({"to": "ada@example.com", "subject": "Hello", "body": "First message."});
    let args = json!({"action": "gmail.send_email", "inputs": inputs});
    let result = call(&agent, "execute", args.clone()).await;
    assert_eq!(result.is_error, Some(true));
    let said = text(&result);
    let link = app.url("/apps/1/integrations/connect?connector=gmail&action=send_email");
    assert!(said.contains("Gmail is not connected"), "{said}");
    assert!(said.contains("send email on your behalf"), "the permission in plain words: {said}");
    assert!(said.contains(&link) && !said.contains("googleapis"), "{said}");
    let needs = answer(&result);
    assert_eq!(needs["error"], "authorization_required");
    assert_eq!(needs["permissions"], json!(["Send email on your behalf"]));
    assert_eq!(needs["url"], link.as_str());
    assert!(outbox(&app).await.is_empty());

    // The person opens the link, approves, and the sandbox's consent screen says yes.
    let editor = app.signed_in(EDITOR).await;
    let page = helpers::text(editor.get(&link).send().await.unwrap(), 200).await;
    assert!(page.contains("Connect Gmail for an agent") && page.contains("Send email on your behalf"), "{page}");
    assert!(page.contains(r#"name="action" value="send_email""#), "{page}");
    let form = [("connector", "gmail"), ("purpose", "connect"), ("action", "send_email")];
    let started = editor.post(app.url("/apps/1/connect")).form(&form).send().await.unwrap();
    assert_eq!(started.status(), 303);
    let authorize = location(&started);
    assert!(authorize.contains("gmail.send"), "asks for the action's permission: {authorize}");
    let consent = helpers::text(editor.get(&authorize).send().await.unwrap(), 200).await;
    let back = decide(&editor, &app, None, &consent, "allow", &[]).await;
    let done = editor.get(location(&back)).send().await.unwrap();
    assert!(location(&done).contains("/apps/1/integrations?done=gmail"), "{}", location(&done));

    // The agent's retry goes through.
    let result = call(&agent, "execute", args).await;
    assert_eq!(answer(&result)["ok"], true, "{}", text(&result));
    assert_eq!(outbox(&app).await.len(), 1);
}

#[tokio::test]
async fn a_missing_permission_is_named_in_plain_words_with_the_page_that_grants_it() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &["openid".into(), "email".into()]).await;
    let key = app_key(&app).await;
    let agent = agent(&app, &key).await.unwrap();
    let inputs = json!({"to": "ada@example.com", "subject": "s", "body": "b"});
    let result = call(&agent, "gmail__send_email", inputs).await;
    let needs = answer(&result);
    assert_eq!(needs["error"], "authorization_required", "{needs}");
    assert_eq!(needs["permissions"], json!(["Send email on your behalf"]));
    assert!(text(&result).contains("connected without permission to send email on your behalf"), "{}", text(&result));
    let editor = app.signed_in(EDITOR).await;
    let page = helpers::text(editor.get(needs["url"].as_str().unwrap()).send().await.unwrap(), 200).await;
    assert!(page.contains("Reconnect Gmail") && page.contains(r#"name="purpose" value="reconnect""#), "{page}");
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn every_tool_call_is_audited_with_its_key_and_outcome_and_never_a_token() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = patchbay::identity::keys::create(&app.store, TODO_APP, "agent", None).await.unwrap();
    let agent = agent(&app, &key.secret).await.unwrap();
    call(&agent, "search_tools", json!({"task": "label an email in Gmail"})).await;
    let inputs = json!({"to": "ada@example.com", "subject": "s", "body": "b"});
    call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": inputs})).await;
    call(&agent, "execute", json!({"action": "slack.post_message", "inputs": {"text": "hi"}})).await;
    let entries: Vec<_> = app
        .store
        .audit_of_app(TODO_APP, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "mcp.tool_call")
        .collect();
    let details: Vec<(&str, Option<&str>)> =
        entries.iter().rev().map(|e| (e.detail.as_deref().unwrap(), e.connector.as_deref())).collect();
    assert_eq!(
        details,
        [
            ("search_tools: ok, 5 results", None),
            ("execute: ok", Some("gmail")),
            ("execute: authorization required", Some("slack"))
        ]
    );
    assert!(entries.iter().all(|e| e.key_id == Some(key.row.id)));
    let token = stored_token(&app, "gmail").await;
    assert!(entries.iter().all(|e| !format!("{e:?}").contains(&token) && !format!("{e:?}").contains(&key.secret)));
}

#[tokio::test]
async fn a_connector_blocked_by_the_owner_leaves_the_tool_list_and_execute_refuses_it_in_words() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == helpers::OWNER).unwrap();
    let gmail = app.state.catalog.get("gmail").unwrap();
    let rule = patchbay::connections::policy::Rule { shared: false, app_user: true };
    patchbay::connections::policy::set(&app.store, TODO_APP, gmail, rule, ada.id).await.unwrap();
    let agent = agent(&app, &key).await.unwrap();
    let names: Vec<String> = agent.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["search_tools", "execute"], "no Gmail tools while it is blocked");
    let inputs = json!({"to": "ada@example.com", "subject": "Hi", "body": "Hello"});
    let result = call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": inputs})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("The app's owner has blocked Gmail for shared connections."), "{}", text(&result));
    assert!(outbox(&app).await.is_empty(), "nothing reached Gmail");
    agent.cancel().await.unwrap();
}
