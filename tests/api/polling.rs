//! Connector triggers that poll: a flow started by "a new Gmail email with the label
//! Invoices" (or a new GitHub issue) asks the sandbox provider for new items through its
//! shared connection. The first poll starts nothing; each new item starts one run with
//! the item's fields as `trigger.record`, once, however many servers poll.

use crate::actions::fixture::{all_scopes, connect, fault, outbox};
use crate::helpers::{TODO_APP, TestApp};
use patchbay::store::{RunRow, now};
use patchbay::wiring::{self, FlowDefinition};
use serde_json::{Value, json};

/// An active flow: a new Gmail email (with these trigger inputs) sends a note quoting it.
async fn email_flow(app: &TestApp, config: Value) -> i64 {
    let def = json!({
        "name": "Forward invoices",
        "trigger": {"kind": "connector", "operation": "gmail.new_email",
                    "connection": {"connector": "gmail", "kind": "shared"}, "config": config,
                    "scopes": ["https://www.googleapis.com/auth/gmail.readonly"]},
        "steps": [{"kind": "action", "id": "note", "operation": "gmail.send_email",
                   "connection": {"connector": "gmail", "kind": "shared"},
                   "inputs": {"to": "ada@example.com", "subject": "New: {{trigger.record.subject}}",
                              "body": "From {{trigger.record.from}}"},
                   "scopes": ["https://www.googleapis.com/auth/gmail.send"]}]
    });
    active_flow(app, def).await
}

async fn active_flow(app: &TestApp, def: Value) -> i64 {
    let def = FlowDefinition::from_json(&def.to_string()).unwrap();
    let (flow, _) = wiring::save(&app.store, &app.state.catalog, TODO_APP, &def, None).await.unwrap();
    app.store.set_flow_status(flow.row.id, "active", None).await.unwrap();
    patchbay::runner::scheduler::sync_flow(&app.store, flow.row.id).await.unwrap();
    assert!(app.store.poll(flow.row.id).await.unwrap().is_some(), "an active connector flow is polled");
    flow.row.id
}

/// The provider gets a new item (as the sandbox plays it); its id.
async fn add_item(app: &TestApp, connector: &str, trigger: &str, item: Value, filters: Value) -> String {
    let answer = reqwest::Client::new()
        .post(app.url("/sandbox/items"))
        .json(&json!({"connector": connector, "trigger": trigger, "item": item, "where": filters}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    answer.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

fn email(subject: &str, from: &str) -> Value {
    json!({"threadId": "t1", "labelIds": ["INBOX"], "snippet": format!("About {subject}"),
           "internalDate": "1764504000000",
           "payload": {"headers": [{"name": "From", "value": from}, {"name": "To", "value": "ada@example.com"},
                                   {"name": "Subject", "value": subject}]}})
}

/// Makes the flow's poll due and polls once, as a server's poll loop does.
async fn poll_now(app: &TestApp, flow: i64) -> usize {
    app.store.set_next_poll(flow, now() - 1).await.unwrap();
    app.state.runner.poll_due().await.unwrap()
}

async fn runs(app: &TestApp, flow: i64) -> Vec<RunRow> {
    app.store.runs_of_flow(flow, 50).await.unwrap()
}

fn record(run: &RunRow) -> Value {
    serde_json::from_str(run.record.as_deref().unwrap_or("null")).unwrap()
}

async fn the_first_poll_starts_nothing_and_each_new_email_then_starts_one_run_with_its_fields(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({"label": "Invoices"})).await;

    assert_eq!(app.state.runner.poll_due().await.unwrap(), 0, "the inbox already there is not replayed");
    assert!(runs(&app, flow).await.is_empty());
    let primed = app.store.poll(flow).await.unwrap().unwrap();
    assert_eq!(primed.primed, 1);
    assert!(primed.next_poll_at > now() + 30, "next poll after runner.poll_secs (60 by default)");
    assert_eq!(app.state.runner.poll_due().await.unwrap(), 0, "not due again before its interval");

    add_item(&app, "gmail", "new_email", email("Invoice INV-2001", "billing@acme.test"), json!({"label": "Invoices"}))
        .await;
    assert_eq!(poll_now(&app, flow).await, 1);
    let started = runs(&app, flow).await;
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].started_by, "connector");
    let got = record(&started[0]);
    assert_eq!(got["subject"], "Invoice INV-2001");
    assert_eq!(got["from"], "billing@acme.test");
    assert_eq!(got["body"], "About Invoice INV-2001");
    assert_eq!(got["received_at"], "2025-11-30T12:00:00.000Z");

    assert_eq!(poll_now(&app, flow).await, 0, "an item starts once");
    assert_eq!(runs(&app, flow).await.len(), 1);

    // The Flows page says how the flow watches Gmail, and why its run started.
    let page =
        app.signed_in(crate::actions::fixture::ACCOUNT).await.get(app.url("/apps/1/flows")).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Checks Gmail for new items every minute (last checked"), "{page}");
    assert!(page.contains("by a new item"), "{page}");

    // The run uses the record: the note quotes the email's subject and sender.
    patchbay::runner::worker::work_queue(&app.state.runner).await.unwrap();
    let done = app.store.run(started[0].id).await.unwrap().unwrap();
    assert_eq!(done.status, "succeeded", "{:?}", done.error);
    let calls = outbox(&app).await;
    assert_eq!(calls[0]["summary"], "Gmail: email to ada@example.com, subject 'New: Invoice INV-2001'");
    assert!(calls.iter().any(|c| c["summary"].as_str().unwrap_or("").contains("checked for new email")), "{calls:?}");
}

async fn a_label_filter_starts_only_the_emails_with_that_label(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({"label": "Invoices"})).await;
    let everything = email_flow(&app, json!({})).await;
    app.state.runner.poll_due().await.unwrap();

    add_item(&app, "gmail", "new_email", email("Lunch on Friday?", "grace@example.com"), json!({"label": "Social"}))
        .await;
    add_item(&app, "gmail", "new_email", email("Invoice INV-2002", "billing@acme.test"), json!({"label": "invoices"}))
        .await;
    assert_eq!(poll_now(&app, flow).await, 1);
    let started = runs(&app, flow).await;
    assert_eq!(started.len(), 1, "only the email labelled Invoices");
    assert_eq!(record(&started[0])["subject"], "Invoice INV-2002");

    assert_eq!(poll_now(&app, everything).await, 2, "a flow without a label takes every new email");
}

async fn a_new_github_issue_starts_a_run_and_a_pull_request_does_not(app: TestApp) {
    connect(&app, "github", &all_scopes(&app, "github")).await;
    let flow = active_flow(
        &app,
        json!({
            "name": "Triage",
            "trigger": {"kind": "connector", "operation": "github.new_issue",
                        "connection": {"connector": "github", "kind": "shared"},
                        "config": {"repository": "octo/hello-world"}, "scopes": ["repo"]},
            "steps": [{"kind": "action", "id": "ack", "operation": "github.create_issue",
                       "connection": {"connector": "github", "kind": "shared"},
                       "inputs": {"repository": "octo/hello-world", "title": "Seen #{{trigger.record.number}}"},
                       "scopes": ["repo"]}]
        }),
    )
    .await;
    assert_eq!(app.state.runner.poll_due().await.unwrap(), 0);
    let issue = json!({"id": 3001, "number": 77, "title": "Crash on save", "body": "Stack trace attached",
                       "user": {"login": "ada"}, "labels": [{"name": "bug"}], "state": "open",
                       "html_url": "https://github.com/octo/hello-world/issues/77", "created_at": "2026-11-30T08:00:00Z"});
    let pull = json!({"id": 3002, "number": 78, "title": "Fix crash", "user": {"login": "ada"}, "labels": [],
                      "html_url": "https://github.com/octo/hello-world/pull/78", "created_at": "2026-11-30T08:05:00Z",
                      "pull_request": {"url": "https://api.github.com/repos/octo/hello-world/pulls/78"}});
    add_item(&app, "github", "new_issue", issue, json!({"repository": "octo/hello-world"})).await;
    add_item(&app, "github", "new_issue", pull, json!({"repository": "octo/hello-world"})).await;
    add_item(
        &app,
        "github",
        "new_issue",
        json!({"id": 3003, "number": 5, "title": "Elsewhere"}),
        json!({"repository": "octo/other"}),
    )
    .await;
    assert_eq!(poll_now(&app, flow).await, 1);
    let got = record(&runs(&app, flow).await[0]);
    assert_eq!(got["number"], 77);
    assert_eq!(got["author"], "ada");
    assert_eq!(got["url"], "https://github.com/octo/hello-world/issues/77");
    assert_eq!(got["labels"], json!([{"name": "bug"}]));
}

async fn a_refused_connection_blocks_the_polling_flow_and_says_why(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({"label": "Invoices"})).await;
    app.state.runner.poll_due().await.unwrap();

    // Gmail refuses the token, and again after patchbay renews it.
    fault(&app, "gmail", "unauthorized", 2).await;
    assert_eq!(poll_now(&app, flow).await, 0);
    let row = app.store.flow(flow).await.unwrap().unwrap();
    assert_eq!(row.status, "blocked");
    let reason = row.status_reason.unwrap_or_default();
    assert!(reason.contains("Gmail") && reason.contains("reconnect"), "{reason}");
    assert!(app.store.poll(flow).await.unwrap().is_none(), "a blocked flow is not polled");
    let history = runs(&app, flow).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, "failed");
    let error = history[0].error.clone().unwrap_or_default();
    assert!(error.starts_with("Checking for new items failed: Gmail refused (401)"), "{error}");
}

async fn a_provider_error_is_kept_in_the_history_once_and_the_next_poll_tries_again(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({"label": "Invoices"})).await;
    app.state.runner.poll_due().await.unwrap();
    add_item(&app, "gmail", "new_email", email("Invoice INV-2003", "billing@acme.test"), json!({"label": "Invoices"}))
        .await;

    fault(&app, "gmail", "provider_error", 2).await;
    assert_eq!(poll_now(&app, flow).await, 0);
    assert_eq!(poll_now(&app, flow).await, 0);
    let history = runs(&app, flow).await;
    assert_eq!(history.len(), 1, "the same error is told once, not every interval");
    let error = history[0].error.clone().unwrap_or_default();
    assert!(error.contains("Gmail refused (400): the request was refused (a sandbox fault)"), "{error}");
    let state = app.store.poll(flow).await.unwrap().unwrap();
    assert_eq!(state.last_error.as_deref(), Some(error.as_str()));
    let key = crate::actions::fixture::app_key(&app).await;
    let listed = crate::actions::fixture::get_json(&app.url("/api/v1/apps/1/flows"), &key).await;
    let shown = listed["flows"].as_array().unwrap().iter().find(|f| f["id"] == flow).unwrap().clone();
    assert_eq!(shown["polling"]["last_error"], json!(error), "the App API says why: {shown}");
    assert!(shown["polling"]["next_check_at"].is_string());
    assert_eq!(app.store.flow(flow).await.unwrap().unwrap().status, "active");

    assert_eq!(poll_now(&app, flow).await, 1, "the item waiting is started once the provider answers");
    assert!(app.store.poll(flow).await.unwrap().unwrap().last_error.is_none());
}

async fn an_item_is_recorded_once_even_when_two_servers_find_it(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({})).await;
    let row = app.store.flow(flow).await.unwrap().unwrap();
    let run = |at| patchbay::store::NewRun {
        flow_id: flow,
        app_id: TODO_APP,
        flow_version: row.version,
        started_by: "connector",
        occurrence_at: None,
        status: "queued",
        is_test: false,
        record: Some("{}"),
        previous: None,
        error: None,
        at,
    };
    assert!(app.store.add_polled_run("m-1", run(now())).await.unwrap().is_some());
    assert!(app.store.add_polled_run("m-1", run(now())).await.unwrap().is_none(), "the (flow, item) key holds");
    assert_eq!(runs(&app, flow).await.len(), 1);
}

/// Two servers on one database poll the same flows at once, their poll loops racing.
async fn two_servers_start_each_item_once(first: TestApp, second: TestApp) {
    connect(&first, "gmail", &all_scopes(&first, "gmail")).await;
    let mut flows = Vec::new();
    for _ in 0..4 {
        flows.push(email_flow(&first, json!({"label": "Invoices"})).await);
    }
    // Both have primed the flows (the first poll), then new emails arrive.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let subject = format!("Invoice {n}");
        ids.push(
            add_item(&first, "gmail", "new_email", email(&subject, "b@acme.test"), json!({"label": "Invoices"})).await,
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    for flow in flows {
        let started: Vec<RunRow> =
            second.store.runs_of_flow(flow, 50).await.unwrap().into_iter().filter(|r| r.record.is_some()).collect();
        let mut subjects: Vec<String> =
            started.iter().map(|r| record(r)["subject"].as_str().unwrap().to_owned()).collect();
        subjects.sort();
        assert_eq!(subjects, ["Invoice 0", "Invoice 1", "Invoice 2"], "each new email once, on flow {flow}");
    }
}

fn racing(s: &mut patchbay::config::Settings) {
    s.runner.tick_ms = 50;
    s.runner.poll_secs = 1;
}

#[tokio::test]
async fn two_servers_polling_at_once_start_each_item_once_on_sqlite() {
    let first = TestApp::spawn_with(racing).await;
    let second = TestApp::spawn_in(first.dir.clone(), racing).await;
    two_servers_start_each_item_once(first, second).await;
}

#[tokio::test]
async fn two_servers_polling_at_once_start_each_item_once_on_postgresql() {
    let Some(url) = crate::pg::fresh_postgres_url().await else { return };
    let key = secrecy::SecretString::from(patchbay::connections::generate_key());
    let configure = |s: &mut patchbay::config::Settings| {
        s.database_url = Some(secrecy::SecretString::from(url.clone()));
        s.token_key = Some(key.clone());
        racing(s);
    };
    let first = TestApp::spawn_with(configure).await;
    let second = TestApp::spawn_with(configure).await;
    two_servers_start_each_item_once(first, second).await;
}

async fn a_new_typeform_response_starts_a_run_with_its_answers_and_form(app: TestApp) {
    connect(&app, "typeform", &all_scopes(&app, "typeform")).await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = active_flow(
        &app,
        json!({
            "name": "Thank respondents",
            "trigger": {"kind": "connector", "operation": "typeform.new_response",
                        "connection": {"connector": "typeform", "kind": "shared"},
                        "config": {"form": "u6nXL7"}, "scopes": ["webhooks:write", "responses:read"]},
            "steps": [{"kind": "action", "id": "note", "operation": "gmail.send_email",
                       "connection": {"connector": "gmail", "kind": "shared"},
                       "inputs": {"to": "ada@example.com", "subject": "Response {{trigger.record.response_id}}",
                                  "body": "Form {{trigger.record.form_id}}"},
                       "scopes": ["https://www.googleapis.com/auth/gmail.send"]}]
        }),
    )
    .await;
    assert_eq!(app.state.runner.poll_due().await.unwrap(), 0, "the seeded response was there before");
    let response = json!({"response_id": "r-900", "token": "r-900", "submitted_at": "2026-11-30T10:00:00Z",
                          "hidden": {"ref": "spring"}, "answers": [{"type": "text", "text": "Lian"}]});
    add_item(&app, "typeform", "new_response", response, json!({"form": "u6nXL7"})).await;
    add_item(&app, "typeform", "new_response", json!({"response_id": "r-901"}), json!({"form": "other"})).await;
    assert_eq!(poll_now(&app, flow).await, 1);
    let got = record(&runs(&app, flow).await[0]);
    assert_eq!(got["response_id"], "r-900");
    assert_eq!(got["form_id"], "u6nXL7", "the form comes from the trigger's input");
    assert_eq!(got["answers"][0]["text"], "Lian");
    assert_eq!(got["hidden"]["ref"], "spring");
}

async fn an_unreadable_item_is_skipped_with_a_reason_and_the_others_still_start(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({"label": "Invoices"})).await;
    app.state.runner.poll_due().await.unwrap();
    let mut broken = email("Broken date", "billing@acme.test");
    broken["internalDate"] = json!("yesterday-ish");
    let bad = add_item(&app, "gmail", "new_email", broken, json!({"label": "Invoices"})).await;
    add_item(&app, "gmail", "new_email", email("Invoice INV-2004", "billing@acme.test"), json!({"label": "Invoices"}))
        .await;

    assert_eq!(poll_now(&app, flow).await, 1, "the readable email starts its run");
    let history = runs(&app, flow).await;
    assert_eq!(history.len(), 2);
    let skipped = history.iter().find(|r| r.status == "failed").expect("the broken email is in the history");
    let error = skipped.error.clone().unwrap_or_default();
    assert!(
        error.starts_with(&format!("A new item ({bad}) was skipped: Gmail's item {bad} could not be read")),
        "{error}"
    );
    assert!(error.contains("received_at"), "{error}");
    assert_eq!(poll_now(&app, flow).await, 0, "a skipped item is not tried again");
    assert_eq!(runs(&app, flow).await.len(), 2);
}

async fn a_published_github_release_starts_a_run_and_a_draft_does_not(app: TestApp) {
    connect(&app, "github", &all_scopes(&app, "github")).await;
    let flow = active_flow(
        &app,
        json!({
            "name": "Announce releases",
            "trigger": {"kind": "connector", "operation": "github.new_release",
                        "connection": {"connector": "github", "kind": "shared"},
                        "config": {"repository": "octo/hello-world"}, "scopes": ["repo"]},
            "steps": [{"kind": "action", "id": "note", "operation": "github.create_issue",
                       "connection": {"connector": "github", "kind": "shared"},
                       "inputs": {"repository": "octo/hello-world", "title": "Released {{trigger.record.tag}}"},
                       "scopes": ["repo"]}]
        }),
    )
    .await;
    assert_eq!(app.state.runner.poll_due().await.unwrap(), 0);
    let release = |id: i64, tag: &str, draft: bool| {
        json!({"id": id, "tag_name": tag, "name": tag, "draft": draft, "body": "Notes", "author": {"login": "ada"},
               "html_url": format!("https://github.com/octo/hello-world/releases/tag/{tag}"),
               "published_at": "2026-11-30T09:00:00Z"})
    };
    add_item(&app, "github", "new_release", release(6001, "v2.0.0", false), json!({"repository": "*"})).await;
    add_item(&app, "github", "new_release", release(6002, "v2.1.0-draft", true), json!({"repository": "*"})).await;
    assert_eq!(poll_now(&app, flow).await, 1);
    let got = record(&runs(&app, flow).await[0]);
    assert_eq!((got["tag"].as_str(), got["author"].as_str()), (Some("v2.0.0"), Some("ada")));
}

async fn turning_a_flow_back_on_starts_over_without_replaying_what_came_while_it_was_off(app: TestApp) {
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = email_flow(&app, json!({"label": "Invoices"})).await;
    app.state.runner.poll_due().await.unwrap();

    patchbay::runner::scheduler::pause(&app.store, &app.state.catalog, flow).await.unwrap();
    assert!(app.store.poll(flow).await.unwrap().is_none(), "a paused flow is not polled");
    add_item(&app, "gmail", "new_email", email("While off", "billing@acme.test"), json!({"label": "Invoices"})).await;
    let (status, _) = patchbay::runner::scheduler::activate(&app.store, &app.state.catalog, flow).await.unwrap();
    assert_eq!(status, patchbay::wiring::FlowStatus::Active);
    assert_eq!(app.store.poll(flow).await.unwrap().unwrap().primed, 0);
    assert_eq!(poll_now(&app, flow).await, 0, "the email that came while it was off is noted, not run");

    add_item(&app, "gmail", "new_email", email("After", "billing@acme.test"), json!({"label": "Invoices"})).await;
    assert_eq!(poll_now(&app, flow).await, 1);
    assert_eq!(record(&runs(&app, flow).await[0])["subject"], "After");
}

async fn a_stripe_event_of_the_chosen_kind_starts_a_run_and_other_kinds_do_not(app: TestApp) {
    connect(&app, "stripe", &[]).await;
    connect(&app, "gmail", &all_scopes(&app, "gmail")).await;
    let flow = active_flow(
        &app,
        json!({
            "name": "Tell me about refunds",
            "trigger": {"kind": "connector", "operation": "stripe.new_event",
                        "connection": {"connector": "stripe", "kind": "shared"},
                        "config": {"event_type": "charge.refunded"}, "scopes": []},
            "steps": [{"kind": "action", "id": "note", "operation": "gmail.send_email",
                       "connection": {"connector": "gmail", "kind": "shared"},
                       "inputs": {"to": "ada@example.com", "subject": "Stripe: {{trigger.record.type}}",
                                  "body": "Event {{trigger.record.id}}"},
                       "scopes": ["https://www.googleapis.com/auth/gmail.send"]}]
        }),
    )
    .await;
    assert_eq!(app.state.runner.poll_due().await.unwrap(), 0, "the seeded event was there before");
    let refund = json!({"id": "evt_refund_2", "object": "event", "type": "charge.refunded", "created": 1764504000,
                        "data": {"object": {"id": "ch_2", "amount": 1200, "currency": "eur"}}});
    add_item(&app, "stripe", "new_event", refund, json!({"event_type": "charge.refunded"})).await;
    let other = json!({"id": "evt_customer_3", "object": "event", "type": "customer.created", "created": 1764504100});
    add_item(&app, "stripe", "new_event", other, json!({"event_type": "customer.created"})).await;
    assert_eq!(poll_now(&app, flow).await, 1, "only the refund");
    let got = record(&runs(&app, flow).await[0]);
    assert_eq!(got["id"], "evt_refund_2");
    assert_eq!(got["type"], "charge.refunded");
    assert_eq!(got["object"]["amount"], 1200, "the event's object comes whole");
}

/// A server whose runner the test drives by hand (`runner.enabled = false`), on SQLite or,
/// with a URL, on its own PostgreSQL database.
fn by_hand(s: &mut patchbay::config::Settings) {
    s.runner.enabled = false;
}

on_both_servers!(
    by_hand;
    the_first_poll_starts_nothing_and_each_new_email_then_starts_one_run_with_its_fields,
    a_label_filter_starts_only_the_emails_with_that_label,
    a_new_github_issue_starts_a_run_and_a_pull_request_does_not,
    a_refused_connection_blocks_the_polling_flow_and_says_why,
    a_provider_error_is_kept_in_the_history_once_and_the_next_poll_tries_again,
    an_item_is_recorded_once_even_when_two_servers_find_it,
    a_new_typeform_response_starts_a_run_with_its_answers_and_form,
    an_unreadable_item_is_skipped_with_a_reason_and_the_others_still_start,
    a_published_github_release_starts_a_run_and_a_draft_does_not,
    turning_a_flow_back_on_starts_over_without_replaying_what_came_while_it_was_off,
    a_stripe_event_of_the_chosen_kind_starts_a_run_and_other_kinds_do_not,
);
