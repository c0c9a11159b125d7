//! An in-app agent acting for one of the app's users: an app user connector runs with that
//! person's own account; until they connect it, the agent gets a connect link for them.

use super::{Agent, answer, call, text};
use crate::actions::fixture::{app_key, outbox};
use crate::app_users::{consent_at_sandbox, set_up_gmail};
use crate::helpers::{TODO_APP, TestApp};
use rmcp::ServiceExt;
use rmcp::model::{ClientConfig, ProtocolVersion};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use std::collections::HashMap;

/// An MCP client of the Todo app acting for `person`.
async fn agent_for(app: &TestApp, key: &str, person: &str) -> Agent {
    let headers = HashMap::from([("x-patchbay-as-user".parse().unwrap(), person.parse().unwrap())]);
    let config = StreamableHttpClientTransportConfig::with_uri(app.url(&format!("/mcp/apps/{TODO_APP}")))
        .auth_header(key)
        .custom_headers(headers);
    let info = ClientConfig::default().with_protocol_version(ProtocolVersion::V_2025_11_25);
    info.serve(StreamableHttpClientTransport::from_config(config)).await.expect("the handshake succeeds")
}

#[tokio::test]
async fn an_agent_acting_for_a_person_sends_them_a_connect_link_then_runs_with_their_account() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    let inputs = json!({"to": "team@example.com", "subject": "Notes", "body": "From the assistant."});
    let args = json!({"action": "gmail.send_email", "inputs": inputs});

    // Without a person, the agent is told how to act for one.
    let anonymous = super::agent(&app, &key).await.unwrap();
    let said = text(&call(&anonymous, "execute", args.clone()).await);
    assert!(said.contains("X-Patchbay-As-User"), "{said}");

    let lin = agent_for(&app, &key, "lin").await;
    let first = call(&lin, "execute", args.clone()).await;
    let needs = answer(&first);
    assert_eq!(needs["error"], "authorization_required", "{needs}");
    let link = needs["url"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&app.url("/connect/")), "a link for the person, not the builder's page: {link}");
    assert!(outbox(&app).await.is_empty());

    let browser = app.browser();
    let back = consent_at_sandbox(&app, &browser, &link, "lin@example.com").await;
    assert_eq!(browser.get(back).send().await.unwrap().status(), 200);
    let names: Vec<String> = lin.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    assert!(names.contains(&"gmail__send_email".to_owned()), "{names:?}");
    let sent = call(&lin, "execute", args.clone()).await;
    assert_eq!(answer(&sent)["ok"], true, "{}", text(&sent));
    assert_eq!(outbox(&app).await.len(), 1);

    // Someone else is never sent through Lin's account.
    let sam = agent_for(&app, &key, "sam").await;
    assert_eq!(answer(&call(&sam, "execute", args).await)["error"], "authorization_required");
    assert_eq!(outbox(&app).await.len(), 1);
}
