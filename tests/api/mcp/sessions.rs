//! What a client's session changes: a client that opens links gets the page where a person
//! connects a tool as a URL-mode elicitation (not as text for its model to relay), and hears
//! that the tool list changed once the tool is connected. A session is a database row: it
//! is bound to its key, and ends on DELETE.

use super::{call, text};
use crate::actions::fixture::{all_scopes, app_key, connect, outbox};
use crate::helpers::{TODO_APP, TestApp};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ElicitationCapability, Implementation, ProtocolVersion,
    UrlElicitationCapability,
};
use rmcp::service::{NotificationContext, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A client that opens links for its user and counts the tool-list changes it hears of.
#[derive(Clone, Default)]
struct LinkOpener {
    list_changes: Arc<AtomicUsize>,
}

impl ClientHandler for LinkOpener {
    fn get_info(&self) -> ClientConfig {
        let elicitation = ElicitationCapability::new().with_url(UrlElicitationCapability::new());
        let capabilities = ClientCapabilities::builder().enable_elicitation_with(elicitation).build();
        ClientConfig::new(capabilities, Implementation::new("link-opener", "1"))
            .with_protocol_version(ProtocolVersion::V_2025_11_25)
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changes.fetch_add(1, Ordering::SeqCst);
    }
}

async fn link_opener(app: &TestApp, key: &str) -> (RunningService<RoleClient, LinkOpener>, Arc<AtomicUsize>) {
    let config =
        StreamableHttpClientTransportConfig::with_uri(app.url(&format!("/mcp/apps/{TODO_APP}"))).auth_header(key);
    let client = LinkOpener::default();
    let changes = client.list_changes.clone();
    let running = client.serve(StreamableHttpClientTransport::from_config(config)).await.expect("the handshake");
    (running, changes)
}

async fn heard(changes: &AtomicUsize, expected: usize) -> usize {
    for _ in 0..50 {
        if changes.load(Ordering::SeqCst) >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    changes.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_client_that_opens_links_is_sent_the_connect_page_and_hears_when_the_tool_arrives() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let (agent, changes) = link_opener(&app, &key).await;
    let names = |tools: Vec<rmcp::model::Tool>| tools.into_iter().map(|t| t.name.to_string()).collect::<Vec<_>>();
    assert_eq!(names(agent.list_all_tools().await.unwrap()), ["search_tools", "execute"]);

    let inputs = json!({"to": "ada@example.com", "subject": "Rota", "body": "Friday is covered."});
    let args = json!({"action": "gmail.send_email", "inputs": inputs});
    let Value::Object(arguments) = args.clone() else { unreachable!() };
    let refused = agent.call_tool(CallToolRequestParams::new("execute").with_arguments(arguments)).await;
    let Err(ServiceError::McpError(error)) = refused else { panic!("a URL elicitation, not {refused:?}") };
    assert_eq!(error.code.0, -32042, "URLElicitationRequiredError: {error:?}");
    let elicitation = &error.data.as_ref().expect("the elicitations")["elicitations"][0];
    assert_eq!(elicitation["mode"], "url");
    assert!(elicitation["elicitationId"].as_str().is_some_and(|id| id.len() >= 16), "{elicitation}");
    let page = app.url("/apps/1/integrations/connect?connector=gmail&action=send_email");
    assert_eq!(elicitation["url"], page.as_str());
    let message = elicitation["message"].as_str().unwrap();
    assert!(message.contains("Connect Gmail") && message.contains("send email on your behalf"), "{message}");
    assert!(!message.contains("http") && !message.contains("googleapis"), "the page is the URL's job: {message}");
    assert!(outbox(&app).await.is_empty());

    // A person connects Gmail meanwhile; the retry runs, and its answer says the list changed.
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let result = call(&agent, "execute", args.clone()).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    assert_eq!(outbox(&app).await.len(), 1);
    assert_eq!(heard(&changes, 1).await, 1, "told that Gmail's actions are listed now");
    assert!(names(agent.list_all_tools().await.unwrap()).contains(&"gmail__send_email".to_owned()));

    // Told once: the next call, with nothing changed, says nothing more.
    call(&agent, "execute", args).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(changes.load(Ordering::SeqCst), 1);
    agent.cancel().await.unwrap();
}

#[tokio::test]
async fn a_client_that_cannot_open_links_still_gets_the_link_as_text_in_a_session() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let agent = super::agent(&app, &key).await.unwrap();
    let inputs = json!({"to": "ada@example.com", "subject": "Hi", "body": "Hello."});
    let result = call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": inputs})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("/apps/1/integrations/connect?connector=gmail"), "{}", text(&result));
}

async fn post(app: &TestApp, key: &str, session: Option<&str>, body: Value) -> reqwest::Response {
    super::raw_post(app, &format!("/mcp/apps/{TODO_APP}"), key, session, &body).await
}

fn hello() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
}

#[tokio::test]
async fn a_session_belongs_to_its_key_and_ends_when_the_client_says_so() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let other_key = app_key(&app).await;
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});

    let started = post(&app, &key, None, hello()).await;
    assert_eq!(started.status(), 200);
    let session = started.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    assert_eq!(post(&app, &key, Some(&session), list.clone()).await.status(), 200);

    for (key, session) in [(&other_key, session.as_str()), (&key, "never-started")] {
        let refused = post(&app, key, Some(session), list.clone()).await;
        assert_eq!(refused.status(), 404, "unknown to this key: start again");
        let answer: Value = refused.json().await.unwrap();
        assert!(answer["error"]["message"].as_str().unwrap().contains("initialize"), "{answer}");
    }

    let end = |session: String| {
        reqwest::Client::new()
            .delete(app.url(&format!("/mcp/apps/{TODO_APP}")))
            .bearer_auth(&key)
            .header("mcp-session-id", session)
            .send()
    };
    assert_eq!(end(session.clone()).await.unwrap().status(), 204);
    assert_eq!(post(&app, &key, Some(&session), list.clone()).await.status(), 404, "over");
    assert_eq!(end(session).await.unwrap().status(), 404, "nothing left to end");
    assert_eq!(post(&app, &key, None, list).await.status(), 200, "no session is still fine");
}

#[tokio::test]
async fn a_write_waiting_for_a_person_is_sent_as_the_confirm_page_to_a_client_that_opens_links() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let owner = app.store.list_users().await.unwrap()[0].id;
    app.store.set_agent_confirm_writes(TODO_APP, true, owner).await.unwrap();
    let (agent, _) = link_opener(&app, &app_key(&app).await).await;
    let inputs = json!({"to": "ada@example.com", "subject": "Rota", "body": "Friday is covered."});
    let Value::Object(arguments) = json!({"action": "gmail.send_email", "inputs": inputs}) else { unreachable!() };
    let waiting = agent.call_tool(CallToolRequestParams::new("execute").with_arguments(arguments)).await;
    let Err(ServiceError::McpError(error)) = waiting else { panic!("a URL elicitation, not {waiting:?}") };
    assert_eq!(error.code.0, -32042);
    let elicitation = &error.data.as_ref().unwrap()["elicitations"][0];
    assert!(elicitation["url"].as_str().unwrap().contains("/apps/1/agents/confirm/"), "{elicitation}");
    assert_eq!(elicitation["message"], "The agent asks to run \"Gmail: Send an email\". Approve or refuse this call.");
    assert!(outbox(&app).await.is_empty());
}
