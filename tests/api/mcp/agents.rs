//! What the app's owner decides for agents (Settings → Agents): hidden actions are neither
//! listed, found nor run; pinned ones are listed before their tool is connected; and with
//! confirmation on, a write call waits for a person who approves it once.

use super::{agent, answer, call, text};
use crate::actions::fixture::{all_scopes, app_key, connect, outbox};
use crate::helpers::{self, EDITOR, OWNER, TestApp};
use serde_json::json;

async fn settings_form(app: &TestApp, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> u16 {
    let response = client.post(app.url(&format!("/apps/1/settings/{path}"))).form(form).send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn an_owner_hides_an_action_from_agents_and_pins_another_before_it_is_connected() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let owner = app.signed_in(OWNER).await;
    assert_eq!(settings_form(&app, &owner, "agents/gmail", &[("gmail.send_email", "hidden")]).await, 200);
    assert_eq!(settings_form(&app, &owner, "agents/slack", &[("slack.post_message", "pinned")]).await, 200);
    let editor = app.signed_in(EDITOR).await;
    assert_eq!(settings_form(&app, &editor, "agents/gmail", &[("gmail.search_emails", "hidden")]).await, 403);

    let agent = agent(&app, &app_key(&app).await).await.unwrap();
    let names: Vec<String> = agent.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    assert!(!names.contains(&"gmail__send_email".to_owned()), "hidden: {names:?}");
    assert!(names.contains(&"gmail__search_emails".to_owned()), "the others stay: {names:?}");
    assert!(names.contains(&"slack__post_message".to_owned()), "pinned though not connected: {names:?}");

    let inputs = json!({"to": "ada@example.com", "subject": "Hi", "body": "x"});
    let result = call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": inputs})).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(text(&result), "The app's owner keeps gmail.send_email from agents.");
    let found = answer(&call(&agent, "search_tools", json!({"task": "send an email with Gmail"})).await);
    let actions: Vec<&str> = found["results"].as_array().unwrap().iter().filter_map(|r| r["action"].as_str()).collect();
    assert!(!actions.contains(&"gmail.send_email"), "{actions:?}");
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_write_call_waits_for_a_person_who_approves_it_once() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let owner = app.signed_in(OWNER).await;
    assert_eq!(settings_form(&app, &owner, "agents", &[("confirm_writes", "on")]).await, 200);
    let agent = agent(&app, &app_key(&app).await).await.unwrap();
    let inputs = json!({"to": "ada@example.com", "subject": "Rota", "body": "Friday is covered."});
    let args = json!({"action": "gmail.send_email", "inputs": inputs});

    let first = call(&agent, "execute", args.clone()).await;
    assert_eq!(first.is_error, Some(true));
    let waiting = answer(&first);
    assert_eq!(waiting["error"], "confirmation_required", "{waiting}");
    let url = waiting["url"].as_str().unwrap().to_owned();
    assert!(text(&first).contains(&url) && text(&first).contains("Gmail: Send an email"), "{}", text(&first));
    assert!(outbox(&app).await.is_empty(), "nothing runs before a person says so");

    let editor = app.signed_in(EDITOR).await;
    let page = helpers::text(editor.get(&url).send().await.unwrap(), 200).await;
    assert!(page.contains("Gmail: Send an email") && page.contains("Friday is covered."), "{page}");
    let approved = helpers::text(editor.post(&url).form(&[("decision", "approve")]).send().await.unwrap(), 200).await;
    assert!(approved.contains("Approved"), "{approved}");

    let second = call(&agent, "execute", args.clone()).await;
    assert_eq!(answer(&second)["ok"], true, "{}", text(&second));
    assert_eq!(outbox(&app).await.len(), 1);
    // Once: the same call again waits again; reading never waits.
    let third = call(&agent, "execute", args).await;
    assert_eq!(answer(&third)["error"], "confirmation_required");
    let other = json!({"to": "ada@example.com", "subject": "Other", "body": "Not approved."});
    let changed = call(&agent, "execute", json!({"action": "gmail.send_email", "inputs": other})).await;
    assert_eq!(answer(&changed)["error"], "confirmation_required", "an approval covers exactly its inputs");
    let read = call(&agent, "gmail__search_emails", json!({"query": "rota"})).await;
    assert_ne!(answer(&read)["error"], "confirmation_required", "{}", text(&read));
    assert_eq!(outbox(&app).await.iter().filter(|c| c["operation"] == "send_email").count(), 1);
}

#[tokio::test]
async fn a_refused_call_does_not_run_and_the_page_says_so() {
    let app = TestApp::spawn().await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let owner = app.signed_in(OWNER).await;
    settings_form(&app, &owner, "agents", &[("confirm_writes", "on")]).await;
    let agent = agent(&app, &app_key(&app).await).await.unwrap();
    let args = json!({"action": "gmail.send_email", "inputs": {"to": "ada@example.com", "subject": "s", "body": "b"}});
    let url = answer(&call(&agent, "execute", args.clone()).await)["url"].as_str().unwrap().to_owned();
    let refused = helpers::text(owner.post(&url).form(&[("decision", "refuse")]).send().await.unwrap(), 200).await;
    assert!(refused.contains("Refused. Nothing was run"), "{refused}");
    assert_eq!(answer(&call(&agent, "execute", args).await)["error"], "confirmation_required");
    assert!(outbox(&app).await.is_empty());
}
