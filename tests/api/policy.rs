//! Connector policy: an owner blocks a connector for shared connections on Settings, and
//! from then on nothing starts at the provider, calls through the existing connection are
//! refused, and the flows that use it pause with the reason; allowing it again brings them
//! back as they were. Editors cannot change it; every change is in the audit log. Each
//! test runs on SQLite and on PostgreSQL.

use crate::actions::fixture::{self, all_scopes, app_key};
use crate::helpers::{EDITOR, OWNER, TODO_APP, TestApp, location, text};
use crate::oauth::ask_for_gmail;
use patchbay::store::now;
use patchbay::wiring::{self, FlowDefinition, FlowStatus};
use serde_json::json;
use std::time::Duration;

const BLOCKED: &str = "The app's owner has blocked Gmail for shared connections.";
/// The same sentence as a page shows it (askama escapes the apostrophe).
const BLOCKED_ON_PAGE: &str = "The app&#39;s owner has blocked Gmail for shared connections.";

on_both_servers!(
    quick_runner;
    a_blocked_connector_refuses_to_connect_in_words_and_nothing_starts_at_the_provider,
    blocking_pauses_an_active_scheduled_flow_with_the_reason_and_allowing_brings_it_back,
    an_editor_cannot_change_what_is_allowed,
    the_action_api_and_the_proxy_refuse_a_blocked_connector_with_a_403_in_words,
);

fn quick_runner(s: &mut patchbay::config::Settings) {
    s.runner.tick_ms = 50;
}

/// Posts the Connectors form of Settings for `connector` as `client`: which boxes are ticked.
async fn set_policy(app: &TestApp, client: &reqwest::Client, connector: &str, shared: bool, app_user: bool) -> u16 {
    let mut form = Vec::new();
    if shared {
        form.push(("shared", "on"));
    }
    if app_user {
        form.push(("app_user", "on"));
    }
    let response =
        client.post(app.url(&format!("/apps/1/settings/connectors/{connector}"))).form(&form).send().await.unwrap();
    response.status().as_u16()
}

async fn a_blocked_connector_refuses_to_connect_in_words_and_nothing_starts_at_the_provider(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let message_id = ask_for_gmail(&app, &owner).await.to_string();
    let settings = text(owner.get(app.url("/apps/1/settings")).send().await.unwrap(), 200).await;
    assert!(settings.contains("id=\"policy-gmail\"") && settings.contains("Search connectors"), "owners see the list");

    // Someone is at Gmail's consent screen when the owner blocks Gmail.
    let started = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &message_id)])
        .send()
        .await
        .unwrap();
    let authorize = location(&started);
    assert!(authorize.starts_with(&app.url("/sandbox/oauth/authorize?")), "{authorize}");

    let saved =
        owner.post(app.url("/apps/1/settings/connectors/gmail")).form(&[("app_user", "on")]).send().await.unwrap();
    let page = text(saved, 200).await;
    assert!(page.contains("Gmail: Shared connections blocked, app-user connections allowed."), "{page}");

    // Coming back from the consent screen connects nothing.
    let consent = text(owner.get(&authorize).send().await.unwrap(), 200).await;
    let allow = crate::sandbox::drive::decide(&owner, &app, None, &consent, "allow", &[]).await;
    owner.get(location(&allow)).send().await.unwrap();
    assert!(app.store.connections_of_app(TODO_APP).await.unwrap().is_empty(), "nothing may be connected");

    // The card shows Gmail blocked instead of its Connect button.
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    let card = chat.split("aria-label=\"Gmail\"").nth(1).expect("a Gmail card");
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("Blocked") && card.contains(BLOCKED_ON_PAGE), "{card}");
    assert!(!card.contains("Connect to Gmail"), "no Connect button: {card}");

    // A Connect pressed on a page loaded earlier, or from My integrations, is refused in words.
    for form in [vec![("connector", "gmail"), ("message_id", &message_id)], vec![("connector", "gmail")]] {
        let refused = owner.post(app.url("/apps/1/connect")).form(&form).send().await.unwrap();
        assert!(location(&refused).is_empty(), "no redirect to the provider");
        assert!(text(refused, 403).await.contains(BLOCKED_ON_PAGE));
    }
    assert!(app.store.connections_of_app(TODO_APP).await.unwrap().is_empty());

    // Audited: who, which connector, what changed; My integrations shows it too.
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap();
    let entry = app
        .store
        .audit_of_app(TODO_APP, 20)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "connector.policy_changed");
    let entry = entry.expect("an audit entry");
    assert_eq!((entry.user_id, entry.connector.as_deref()), (Some(ada.id), Some("gmail")));
    assert!(entry.detail.unwrap().starts_with("shared connections blocked, app-user connections allowed"));
    let integrations = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(integrations.contains("changed what is allowed for Gmail"), "{integrations}");

    // Allowing it again: Connect starts at the provider once more.
    assert_eq!(set_policy(&app, &owner, "gmail", true, true).await, 200);
    let again = owner.post(app.url("/apps/1/connect")).form(&[("connector", "gmail")]).send().await.unwrap();
    assert!(location(&again).starts_with(&app.url("/sandbox/oauth/authorize?")));
}

/// Open tasks emailed with Gmail every minute.
fn emailed_tasks() -> FlowDefinition {
    let def = json!({
        "name": "Open tasks by email",
        "trigger": {"kind": "schedule", "cron": "* * * * *", "time_zone": "UTC"},
        "steps": [
            {"kind": "query", "id": "open_tasks", "entity": "Task",
             "filter": [{"field": "completed", "op": "eq", "value": false}]},
            {"kind": "transform", "id": "list", "op": "render_list", "from": "{{steps.open_tasks.items}}",
             "fields": ["title"], "heading": "Open tasks", "empty": "No open tasks."},
            {"kind": "action", "id": "send", "operation": "gmail.send_email",
             "connection": {"connector": "gmail", "kind": "shared"},
             "inputs": {"to": "ada@example.com", "subject": "Open tasks", "body": "{{steps.list.text}}"},
             "scopes": ["https://www.googleapis.com/auth/gmail.send"]}
        ]
    });
    FlowDefinition::from_json(&def.to_string()).unwrap()
}

async fn blocking_pauses_an_active_scheduled_flow_with_the_reason_and_allowing_brings_it_back(app: TestApp) {
    fixture::connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let (flow, _) = wiring::save(&app.store, &app.state.catalog, TODO_APP, &emailed_tasks(), None).await.unwrap();
    let id = flow.row.id;
    let (status, report) = wiring::activate(&app.store, &app.state.catalog, id).await.unwrap();
    assert_eq!(status, FlowStatus::Active, "{:?}", report.status_reason());
    patchbay::runner::scheduler::sync_flow(&app.store, id).await.unwrap();
    assert!(app.store.schedule(id).await.unwrap().is_some());

    let owner = app.signed_in(OWNER).await;
    assert_eq!(set_policy(&app, &owner, "gmail", false, true).await, 200);
    let row = app.store.flow(id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.status_reason.as_deref()), ("blocked", Some(BLOCKED)));
    assert!(app.store.schedule(id).await.unwrap().is_none(), "a paused flow has no schedule");
    let flows = text(owner.get(app.url("/apps/1/flows")).send().await.unwrap(), 200).await;
    assert!(flows.contains("Paused") && flows.contains(BLOCKED_ON_PAGE), "the Flows page says why: {flows}");
    assert!(!flows.contains("Reconnect Gmail") && !flows.contains("Next run:"), "{flows}");

    // It does not run while paused, even with a due schedule left behind (another server
    // that had not seen the change yet), though the runner ticks every 50 ms.
    app.store.put_schedule(id, "* * * * *", "UTC", now() - 1).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.store.runs_of_flow(id, 10).await.unwrap().is_empty(), "no run while blocked");

    assert_eq!(set_policy(&app, &owner, "gmail", true, true).await, 200);
    let row = app.store.flow(id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.status_reason), ("active", None), "on again, as it was");
    assert!(app.store.schedule(id).await.unwrap().is_some(), "its schedule is back");
    let flows = text(owner.get(app.url("/apps/1/flows")).send().await.unwrap(), 200).await;
    assert!(flows.contains("Active") && flows.contains("Next run:") && !flows.contains(BLOCKED_ON_PAGE), "{flows}");

    // And it runs again: a due occurrence now sends the email.
    app.store.put_schedule(id, "* * * * *", "UTC", now() - 1).await.unwrap();
    for _ in 0..60 {
        if app.store.runs_of_flow(id, 10).await.unwrap().iter().any(|r| r.status == "succeeded") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the allowed flow did not run: {:?}", app.store.runs_of_flow(id, 10).await.unwrap());
}

async fn an_editor_cannot_change_what_is_allowed(app: TestApp) {
    let editor = app.signed_in(EDITOR).await;
    assert_eq!(set_policy(&app, &editor, "gmail", false, false).await, 403);
    assert!(app.store.connector_policies(TODO_APP).await.unwrap().is_empty(), "nothing was stored");
    let settings = text(editor.get(app.url("/apps/1/settings")).send().await.unwrap(), 200).await;
    assert!(!settings.contains("policy-gmail"), "editors do not see the owner's connector list");

    // An owner's form without the page's CSRF token is refused too.
    let owner_id = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap().id;
    let bare = TestApp::client();
    let cookie = crate::helpers::session_cookie(&bare, &app, owner_id).await;
    let forged = bare
        .post(app.url("/apps/1/settings/connectors/gmail"))
        .header("cookie", cookie)
        .form(&[("app_user", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(app.store.connector_policies(TODO_APP).await.unwrap().is_empty());
}

async fn the_action_api_and_the_proxy_refuse_a_blocked_connector_with_a_403_in_words(app: TestApp) {
    fixture::connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let key = app_key(&app).await;
    let owner = app.signed_in(OWNER).await;
    assert_eq!(set_policy(&app, &owner, "gmail", false, true).await, 200);

    let inputs = json!({"to": "bob@example.com", "subject": "Hello", "body": "Hi Bob"});
    let (status, answer) = fixture::run(&app, &key, "gmail.send_email", inputs.clone()).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some(BLOCKED)));
    let proxied = reqwest::Client::new()
        .get(app.url("/api/v1/apps/1/proxy/gmail/gmail/v1/users/me/profile"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status(), 403);
    let token = reqwest::Client::new()
        .get(app.url("/api/v1/apps/1/connections/gmail?include=token"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 403, "no token for a blocked connector either");
    assert!(fixture::outbox(&app).await.is_empty(), "nothing reached Gmail");

    assert_eq!(set_policy(&app, &owner, "gmail", true, true).await, 200);
    let (status, answer) = fixture::run(&app, &key, "gmail.send_email", inputs).await;
    assert_eq!((status, answer["ok"].as_bool()), (200, Some(true)), "{answer}");
}

/// In Chromium: the owner finds Gmail with the search box (its folded category opens),
/// unticks Shared and saves; the page says what changed and marks Gmail blocked. On a
/// phone-sized window the list fits the screen.
#[tokio::test]
async fn an_owner_finds_gmail_on_settings_and_blocks_it_in_a_browser() {
    use crate::browser::{Driver, sign_in};
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url("/apps/1/settings#connectors")).await.unwrap();
    d.type_into("#policy-q", "gmail").await;
    let row = d.wait_for(Locator::Css("#policy-gmail")).await;
    assert!(row.is_displayed().await.unwrap(), "the search opens Gmail's category");
    let slack = d.client.find(Locator::Css("#policy-slack")).await.unwrap();
    assert!(!slack.is_displayed().await.unwrap(), "other connectors are filtered out");
    d.client.find(Locator::Css("#policy-gmail input[name=shared]")).await.unwrap().click().await.unwrap();
    d.client.find(Locator::Css("#policy-gmail button[type=submit]")).await.unwrap().click().await.unwrap();
    let notice = d.text_of(".notice").await;
    assert!(notice.contains("Gmail: Shared connections blocked"), "{notice}");
    let line = d.text_of("#policy-gmail").await;
    assert!(line.contains("Blocked"), "{line}");
    assert!(!app.store.connector_policies(TODO_APP).await.unwrap().is_empty());
    d.client.find(Locator::Css("#connectors")).await.unwrap().click().await.ok();
    d.screenshot("settings-connectors.png").await;

    d.client.set_window_size(390, 844).await.unwrap();
    d.client.goto(&app.url("/apps/1/settings#policy-gmail")).await.unwrap();
    // Nothing in the Connectors section reaches past the screen's right edge.
    let wide = d
        .client
        .execute(
            "return Array.from(document.querySelectorAll('#connectors *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(wide, serde_json::json!([]), "the connector list fits a phone");
    d.screenshot("settings-connectors-phone.png").await;
}
