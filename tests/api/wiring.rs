//! Flow wiring with a real database: a generated flow is stored blocked until the app's
//! connection grants its scopes, edits make versions, settings and activation are stored,
//! and `patchbay flow show` prints what is stored. Run on SQLite and on PostgreSQL.

use patchbay::app::demo::todo_structure;
use patchbay::catalog::Catalog;
use patchbay::ranking::{RouteRequest, Router};
use patchbay::store::{NewConnection, Store, TokenUpdate, now};
use patchbay::wiring::{self, Context, FlowDefinition, FlowStatus, FlowTrigger, WiringError};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

static ROUTER: LazyLock<Router> =
    LazyLock::new(|| Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"));
const SEND: &str = "https://www.googleapis.com/auth/gmail.send";

on_both_backends!(
    a_generated_flow_is_blocked_until_the_connection_grants_its_scopes,
    an_edit_makes_a_new_version_and_keeps_the_old_ones,
    chosen_settings_are_stored_and_let_the_flow_activate,
);

/// The seeded Todo app, its owner's id and email.
async fn todo_app(store: &Store) -> (i64, i64, String) {
    let email = format!("ada-{}@example.com", crate::pg::rand_suffix());
    let owner = store.create_user(&email, "Ada").await.unwrap();
    let app = store.create_app("Todo", &todo_structure().to_json(), "Europe/Paris", owner.id).await.unwrap();
    (app.id, owner.id, email)
}

fn wire(prompt: &str, requester: &str) -> FlowDefinition {
    let app = todo_structure();
    let route = ROUTER.route(&RouteRequest { prompt: prompt.into(), app: app.clone(), chips: vec![] }).unwrap();
    let ctx = Context {
        catalog: ROUTER.catalog(),
        app: &app,
        time_zone: "Europe/Paris",
        requester,
        request: prompt,
        message_id: None,
    };
    wiring::generate(&route, &ctx).expect("a flow")
}

async fn connect_gmail(store: &Store, app: i64, user: i64, scopes: &[String]) -> i64 {
    let row = store
        .insert_connection(NewConnection {
            app_id: app,
            connector: "gmail",
            kind: "shared",
            owner_user_id: None,
            account: Some("ada@example.com"),
            status: "connected",
            granted_scopes: scopes,
            sealed_tokens: Some(b"sealed"),
            expires_at: Some(now() + 3600),
            connected_by: user,
        })
        .await
        .unwrap();
    row.id
}

async fn a_generated_flow_is_blocked_until_the_connection_grants_its_scopes(store: &Store) {
    let catalog = ROUTER.catalog();
    let (app, user, email) = todo_app(store).await;
    let def = wire("Send me a daily email with my to-do list using Gmail", &email);
    let (flow, report) = wiring::save(store, catalog, app, &def, Some(user)).await.unwrap();
    assert_eq!((flow.row.status.as_str(), flow.row.version), ("blocked", 1));
    assert_eq!(
        flow.row.status_reason.as_deref(),
        Some(format!("blocked: needs additional permissions (gmail is not connected (needs {SEND}))").as_str())
    );
    assert!(report.is_valid());

    // Connected with identity scopes only: still blocked, now for the send scope alone.
    let identity = vec!["openid".to_owned(), "email".to_owned()];
    let conn = connect_gmail(store, app, user, &identity).await;
    assert!(wiring::recheck_app(store, catalog, app).await.unwrap().is_empty());
    let again = wiring::load(store, flow.row.id).await.unwrap().unwrap();
    assert_eq!(
        again.row.status_reason.as_deref(),
        Some(format!("blocked: needs additional permissions (gmail needs {SEND})").as_str())
    );
    let (status, report) = wiring::activate(store, catalog, flow.row.id).await.unwrap();
    assert_eq!(status, FlowStatus::Blocked);
    assert_eq!(report.missing[0].scopes, [SEND]);

    // The incremental grant arrives: the flow becomes a draft, then activates.
    let row = store.connection(conn).await.unwrap().unwrap();
    let granted = vec!["openid".to_owned(), "email".to_owned(), SEND.to_owned()];
    let update = TokenUpdate {
        sealed_tokens: Some(b"sealed-2"),
        expires_at: Some(now() + 3600),
        granted_scopes: Some(&granted),
        account: None,
        status: "connected",
        status_reason: None,
    };
    assert!(store.update_tokens(conn, row.version, update).await.unwrap());
    assert_eq!(wiring::recheck_app(store, catalog, app).await.unwrap(), [(flow.row.id, FlowStatus::Draft)]);
    let (status, _) = wiring::activate(store, catalog, flow.row.id).await.unwrap();
    assert_eq!(status, FlowStatus::Active);
    let active = wiring::load(store, flow.row.id).await.unwrap().unwrap();
    assert_eq!((active.status(), active.row.status_reason), (Some(FlowStatus::Active), None));
    assert_eq!(active.definition, def);

    // Losing the connection blocks an active flow again.
    store.set_connection_status(conn, "revoked", Some("revoked at the provider")).await.unwrap();
    assert_eq!(wiring::recheck_app(store, catalog, app).await.unwrap(), [(flow.row.id, FlowStatus::Blocked)]);
}

async fn an_edit_makes_a_new_version_and_keeps_the_old_ones(store: &Store) {
    let catalog = ROUTER.catalog();
    let (app, user, email) = todo_app(store).await;
    let def = wire("Send me a daily email with my to-do list using Gmail", &email);
    let (flow, _) = wiring::save(store, catalog, app, &def, Some(user)).await.unwrap();
    let mut edited = def.clone();
    let FlowTrigger::Schedule(s) = &mut edited.trigger else { panic!("a schedule") };
    s.cron = "30 7 * * 1-5".into();
    let (saved, _) = wiring::save_version(store, catalog, flow.row.id, &edited, Some(user)).await.unwrap();
    assert_eq!(saved.row.version, 2);
    assert_eq!(wiring::load(store, flow.row.id).await.unwrap().unwrap().definition, edited);
    assert_eq!(wiring::load_version(store, flow.row.id, 1).await.unwrap().unwrap(), def);
    let all = wiring::list(store, app).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].definition.summary(catalog).split(" → ").next(), Some("Every weekday at 07:30 (Europe/Paris)"));
    assert!(matches!(
        wiring::save_version(store, catalog, 999_999, &edited, None).await,
        Err(WiringError::UnknownFlow(999_999))
    ));
    assert!(wiring::load(store, 999_999).await.unwrap().is_none());
}

async fn chosen_settings_are_stored_and_let_the_flow_activate(store: &Store) {
    let catalog = ROUTER.catalog();
    let (app, user, email) = todo_app(store).await;
    let def = wire("Email me when deadlines are approaching, with the list of tasks", &email);
    assert!(def.settings.is_empty(), "email to me needs no choice");
    let def = wire("Send alerts to a Slack channel when deadlines are approaching.", &email);
    assert_eq!(def.settings[0].name, "channel");
    let scopes = vec!["chat:write".to_owned()];
    store
        .insert_connection(NewConnection {
            app_id: app,
            connector: "slack",
            kind: "shared",
            owner_user_id: None,
            account: Some("acme.slack.com"),
            status: "connected",
            granted_scopes: &scopes,
            sealed_tokens: Some(b"sealed"),
            expires_at: None,
            connected_by: user,
        })
        .await
        .unwrap();
    let (flow, report) = wiring::save(store, catalog, app, &def, Some(user)).await.unwrap();
    assert_eq!(flow.row.status, "draft");
    assert_eq!(flow.row.status_reason.as_deref(), Some("choose before activating: Which Slack channel?"));
    assert!(!report.can_activate());
    assert_eq!(wiring::activate(store, catalog, flow.row.id).await.unwrap().0, FlowStatus::Draft);

    let values = BTreeMap::from([("channel".to_owned(), json!("#deadlines"))]);
    let (chosen, report) = wiring::choose_settings(store, catalog, flow.row.id, &values, Some(user)).await.unwrap();
    assert_eq!(chosen.row.version, 2);
    assert_eq!(chosen.definition.settings[0].value, Some(json!("#deadlines")));
    assert!(report.can_activate());
    assert_eq!(wiring::activate(store, catalog, flow.row.id).await.unwrap().0, FlowStatus::Active);
    let wrong = BTreeMap::from([("colour".to_owned(), json!("blue"))]);
    assert!(matches!(
        wiring::choose_settings(store, catalog, flow.row.id, &wrong, None).await,
        Err(WiringError::UnknownSetting(name)) if name == "colour"
    ));
}

#[tokio::test]
async fn flow_show_prints_the_stored_definition_and_refuses_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&Store::sqlite_url(dir.path())).await.unwrap();
    let (app, user, email) = todo_app(&store).await;
    let def = wire("Send me a daily email with my to-do list using Gmail", &email);
    let (flow, _) = wiring::save(&store, ROUTER.catalog(), app, &def, Some(user)).await.unwrap();
    store.close().await;

    let run = |id: i64| {
        std::process::Command::new(env!("CARGO_BIN_EXE_patchbay"))
            .args(["flow", "show", &id.to_string(), "--data-dir"])
            .arg(dir.path())
            .env_remove("PATCHBAY_DATABASE_URL")
            .output()
            .expect("run patchbay")
    };
    let shown = run(flow.row.id);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    let printed = FlowDefinition::from_json(&String::from_utf8(shown.stdout).unwrap()).unwrap();
    assert_eq!(printed, def);

    let missing = run(424_242);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no flow with id 424242"));
}

/// `patchbay flow draft --jsonl` with these lines on stdin; one JSON value per output line.
fn draft_lines(input: &str) -> Vec<serde_json::Value> {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(["flow", "draft", "--jsonl"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run patchbay");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn flow_draft_answers_each_line_with_a_flow_a_question_or_an_error() {
    let app = json!({"entities": [{"name": "Ticket", "fields": ["subject", "priority"]}], "time_zone": "Asia/Tokyo"});
    let lines = [
        json!({"prompt": "Every weekday at 9am post the urgent tickets to #support", "app": app}).to_string(),
        "not json".to_owned(),
        json!({"prompt": "every other Tuesday email me the tickets", "app": app}).to_string(),
        json!({"prompt": "Share new tickets on our Mastodon account", "app": app}).to_string(),
        json!({"prompt": "Ping me by email once a ticket's mood changes to grumpy", "app": app}).to_string(),
    ];
    let out = draft_lines(&(lines.join("\n") + "\n"));
    assert_eq!(out.len(), 5, "one answer per line: {out:?}");
    let flow = &out[0]["flow"];
    assert_eq!(flow["trigger"], json!({"kind": "schedule", "cron": "0 9 * * 1-5", "time_zone": "Asia/Tokyo"}));
    assert_eq!(flow["steps"][0]["filter"], json!([{"field": "priority", "op": "eq", "value": "urgent"}]));
    assert_eq!(flow["steps"][2]["operation"], "slack.post_message");
    assert!(out[1]["error"].as_str().unwrap().contains("not valid JSON"));
    assert_eq!(out[2]["asks"][0]["about"], "schedule");
    assert_eq!(out[3]["asks"][0]["about"], "connector");
    assert_eq!(out[4]["asks"][0]["about"], "data");
    assert_eq!(out[4]["asks"][0]["offer"]["label"], "Add a mood field to Ticket");
}
