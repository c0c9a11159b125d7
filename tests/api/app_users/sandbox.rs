//! App user connections through the sandbox: set-up, connect links (single use, expiry,
//! the same browser), each person's own token and actions, and disconnecting.

use super::{connect_person, consent_at_sandbox, get, link_for, post, set_up_gmail};
use crate::actions::fixture::{app_key, outbox};
use crate::helpers::{OWNER, TODO_APP, TestApp, location, text};
use crate::sandbox::drive::userinfo;
use patchbay::digest::sha256_hex;
use patchbay::store::now;
use serde_json::json;

#[tokio::test]
async fn a_person_connects_their_own_gmail_and_the_app_sends_as_them() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let set_up = set_up_gmail(&app, &key).await;
    assert_eq!(set_up["redirect_uri"], app.url("/oauth/callback"));
    assert!(set_up.get("client_secret").is_none());

    let browser = app.browser();
    let link = link_for(&app, &key, "user-17", Some("http://localhost:3000/account")).await;
    let page = text(browser.get(&link).send().await.unwrap(), 200).await;
    assert!(page.contains("Connect your Gmail account to Todo"), "{page}");
    assert!(page.contains("Send email on your behalf"), "the permission in words: {page}");
    let back = consent_at_sandbox(&app, &browser, &link, "lin@example.com").await;
    let landed = browser.get(back).send().await.unwrap();
    assert_eq!(landed.status(), 303);
    assert_eq!(location(&landed), "http://localhost:3000/account?connected=gmail");

    let (status, mine) = get(&app, &key, "app-users/user-17/connections/gmail").await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!((mine["kind"].as_str(), mine["account"].as_str()), (Some("app_user"), Some("lin@example.com")));
    assert!(mine.get("access_token").is_none(), "no token unless asked for");

    let (status, sent) = post(
        &app,
        &key,
        "actions/gmail.send_email",
        json!({"inputs": {"to": "team@example.com", "subject": "Hi", "body": "From Lin"}, "as_user": "user-17"}),
    )
    .await;
    assert_eq!((status, sent["ok"].as_bool()), (200, Some(true)), "{sent}");
    assert_eq!(outbox(&app).await[0]["summary"], "Gmail: email to team@example.com, subject 'Hi'");

    // Without a person, or for one who never connected, nothing is sent.
    let inputs = json!({"to": "team@example.com", "subject": "Hi", "body": "x"});
    let (status, answer) = post(&app, &key, "actions/gmail.send_email", json!({"inputs": inputs})).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("as_user"), "{answer}");
    let (status, answer) =
        post(&app, &key, "actions/gmail.send_email", json!({"inputs": inputs, "as_user": "user-99"})).await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("has not connected their Gmail account"), "{answer}");
    assert_eq!(outbox(&app).await.len(), 1);
}

#[tokio::test]
async fn each_person_gets_only_their_own_token() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    assert_eq!(connect_person(&app, &key, "lin", "lin@example.com").await.status(), 200);
    assert_eq!(connect_person(&app, &key, "sam", "sam@example.com").await.status(), 200);

    let http = reqwest::Client::new();
    for (person, email) in [("lin", "lin@example.com"), ("sam", "sam@example.com")] {
        let (status, answer) = get(&app, &key, &format!("app-users/{person}/connections/gmail?include=token")).await;
        assert_eq!(status, 200, "{answer}");
        let token = answer["access_token"].as_str().unwrap();
        let who: serde_json::Value = userinfo(&http, &app, token).await.json().await.unwrap();
        assert_eq!(who["email"], email, "{person}'s token opens {person}'s account");
        let (_, listed) = get(&app, &key, &format!("app-users/{person}/connections")).await;
        let accounts: Vec<&str> =
            listed["connections"].as_array().unwrap().iter().filter_map(|c| c["account"].as_str()).collect();
        assert_eq!(accounts, [email]);
    }
    // The app's own connection list holds shared connections only.
    let (_, shared) = get(&app, &key, "connections").await;
    assert_eq!(shared["connections"], json!([]));
    // A person's session never gets tokens: these routes are for app keys.
    let owner = app.signed_in(OWNER).await;
    let refused = owner.get(app.url("/api/v1/apps/1/app-users/lin/connections/gmail?include=token")).send().await;
    assert_ne!(refused.unwrap().status(), 200);
}

#[tokio::test]
async fn a_connect_link_works_once_and_expires() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    let link = link_for(&app, &key, "lin", Some("https://app.example/back")).await;
    let browser = app.browser();
    let _ = consent_at_sandbox(&app, &browser, &link, "lin@example.com").await;
    let again = text(app.browser().get(&link).send().await.unwrap(), 410).await;
    assert!(again.contains("expired or was already used"), "{again}");
    assert!(again.contains("https://app.example/back"), "it offers the way back: {again}");
    let second = app.browser().post(&link).form(&[("choice", "continue")]).send().await.unwrap();
    assert_eq!(second.status(), 410);

    // A link past its 15 minutes is refused the same way.
    let token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    app.store.insert_connect_session(&sha256_hex(token), TODO_APP, "sam", "gmail", None, now() - 1).await.unwrap();
    let old = text(app.browser().get(app.url(&format!("/connect/{token}"))).send().await.unwrap(), 410).await;
    assert!(old.contains("expired"), "{old}");
    let unknown = app.browser().get(app.url("/connect/not-a-real-link")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_providers_answer_must_come_back_to_the_browser_that_used_the_link() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    let link = link_for(&app, &key, "lin", None).await;
    let back = consent_at_sandbox(&app, &app.browser(), &link, "lin@example.com").await;
    // Someone else's browser (no cookie from the link) opens the callback.
    let elsewhere = text(app.browser().get(&back).send().await.unwrap(), 410).await;
    assert!(elsewhere.contains("did not start in this browser"), "{elsewhere}");
    let (status, _) = get(&app, &key, "app-users/lin/connections/gmail").await;
    assert_eq!(status, 404, "nothing was stored");
}

#[tokio::test]
async fn links_need_a_set_up_connector_and_an_app_key() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    let body = json!({"connector": "gmail"});
    let (status, answer) = post(&app, &key, "app-users/lin/connect-sessions", body.clone()).await;
    assert_eq!(status, 409, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("not set up for the app's users"), "{answer}");
    let (status, _) = post(&app, "pbk_wrong", "app-users/lin/connect-sessions", body).await;
    assert_eq!(status, 401);
    let (status, answer) =
        post(&app, &key, "app-user-connectors", json!({"connector": "gmail", "scopes": ["root"]})).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) =
        post(&app, &key, "app-user-connectors", json!({"connector": "gmail", "client_id": "only-half"})).await;
    assert_eq!(status, 400, "{answer}");
    set_up_gmail(&app, &key).await;
    let bad_back = json!({"connector": "gmail", "return_url": "javascript:alert(1)"});
    let (status, _) = post(&app, &key, "app-users/lin/connect-sessions", bad_back).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_person_disconnects_their_own_account_from_a_new_link() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    connect_person(&app, &key, "lin", "lin@example.com").await;
    let link = link_for(&app, &key, "lin", None).await;
    let browser = app.browser();
    let page = text(browser.get(&link).send().await.unwrap(), 200).await;
    assert!(page.contains("lin@example.com is connected to Todo"), "{page}");
    let done = text(browser.post(&link).form(&[("choice", "disconnect")]).send().await.unwrap(), 200).await;
    assert!(done.contains("no longer connected"), "{done}");
    let (status, _) = get(&app, &key, "app-users/lin/connections/gmail").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_event_from_a_person_runs_the_flow_with_their_account() {
    let app = TestApp::spawn_with(|s| s.runner.enabled = false).await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    connect_person(&app, &key, "lin", "lin@example.com").await;
    let def = patchbay::wiring::FlowDefinition::from_json(
        &json!({
            "name": "Tell the team about a new task",
            "trigger": {"kind": "entity_event", "entity": "Task", "change": "created"},
            "steps": [{"kind": "action", "id": "send", "operation": "gmail.send_email",
                       "connection": {"connector": "gmail", "kind": "app_user"},
                       "inputs": {"to": "team@example.com", "subject": "New task", "body": "{{trigger.record.title}}"},
                       "scopes": ["https://www.googleapis.com/auth/gmail.send"]}]
        })
        .to_string(),
    )
    .unwrap();
    let (flow, report) = patchbay::wiring::save(&app.store, &app.state.catalog, TODO_APP, &def, None).await.unwrap();
    assert!(report.missing.is_empty(), "the set-up grants what the step needs: {:?}", report.missing);
    app.store.set_flow_status(flow.row.id, "active", None).await.unwrap();

    let event =
        json!({"entity": "Task", "change": "created", "record": {"title": "Water the plants"}, "as_user": "lin"});
    let (status, answer) = post(&app, &key, "events", event).await;
    assert_eq!(status, 200, "{answer}");
    // The same event from someone who never connected fails that run alone.
    let event = json!({"entity": "Task", "change": "created", "record": {"title": "Feed the cat"}, "as_user": "sam"});
    post(&app, &key, "events", event).await;
    patchbay::runner::worker::work_queue(&app.state.runner).await.unwrap();
    let runs = app.store.runs_of_flow(flow.row.id, 5).await.unwrap();
    let by_title = |t: &str| runs.iter().find(|r| r.record.as_deref().is_some_and(|x| x.contains(t))).unwrap();
    assert_eq!(by_title("Water the plants").status, "succeeded", "{:?}", by_title("Water the plants").error);
    let failed = by_title("Feed the cat");
    assert_eq!(failed.status, "failed");
    assert!(failed.error.as_deref().unwrap_or_default().contains("has not connected"), "{:?}", failed.error);
    let still = app.store.flow(flow.row.id).await.unwrap().unwrap();
    assert_eq!(still.status, "active", "one person's missing account does not pause the flow");
    assert_eq!(outbox(&app).await.len(), 1);
}

#[tokio::test]
async fn an_owner_blocking_app_user_connections_stops_new_links_and_the_persons_calls() {
    let app = TestApp::spawn().await;
    let key = app_key(&app).await;
    set_up_gmail(&app, &key).await;
    connect_person(&app, &key, "lin", "lin@example.com").await;
    let pending = link_for(&app, &key, "sam", None).await;
    app.store.set_connector_policy(TODO_APP, "gmail", true, false, None).await.unwrap();

    let (status, answer) = post(&app, &key, "app-users/kim/connect-sessions", json!({"connector": "gmail"})).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"], "The app's owner has blocked Gmail for app-user connections.");
    let page = app.browser().post(&pending).form(&[("choice", "continue")]).send().await.unwrap();
    assert!(text(page, 400).await.contains("blocked Gmail"));
    let inputs = json!({"to": "team@example.com", "subject": "Hi", "body": "x"});
    let (status, _) = post(&app, &key, "actions/gmail.send_email", json!({"inputs": inputs, "as_user": "lin"})).await;
    assert_eq!(status, 403);
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn the_card_offers_an_app_user_connector_and_choosing_it_connects_nothing_now() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let message_id = crate::oauth::ask_for_gmail(&app, &owner).await;
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("name=\"kind\" value=\"app_user\""), "the choice is offered");
    let chose = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &message_id.to_string()), ("kind", "app_user")])
        .send()
        .await
        .unwrap();
    assert_eq!(chose.status(), 303, "back to the chat, not to a provider: {}", location(&chose));
    assert!(location(&chose).starts_with("/apps/1/chat"));
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("For app users"), "{chat}");
    assert!(chat.contains("each person who uses the app connects their own Gmail account"), "{chat}");
    let integrations = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(integrations.contains("App user connectors") && integrations.contains("Nobody has connected yet"));
    assert!(integrations.contains(&app.url("/oauth/callback")), "the redirect URI to register");
    assert!(app.store.shared_connection(TODO_APP, "gmail").await.unwrap().is_none());
}
