//! The Store conformance suite: every Store method, run on SQLite and on PostgreSQL.

use crate::pg;
use patchbay::app::Role;
use patchbay::store::{
    CodeRedemption, NewConnection, NewMcpCode, NewMcpSession, NewMessage, NewRun, NewSandboxAccessToken,
    NewSandboxGrant, PendingAuthorization, RefreshUse, SandboxCode, Store, StoreError, TokenUpdate, now,
};

on_both_backends!(
    users_apps_and_roles_round_trip,
    sessions_find_their_user_until_they_expire,
    connections_round_trip_with_sealed_bytes_and_scopes,
    a_second_shared_connection_for_the_same_connector_is_a_conflict,
    concurrent_attempts_to_add_one_shared_connection_store_exactly_one,
    token_writes_are_refused_when_another_writer_got_there_first,
    pending_authorizations_are_taken_exactly_once,
    chat_messages_and_card_decisions_round_trip,
    flows_keep_every_version,
    the_audit_log_lists_newest_first,
    migrating_twice_changes_nothing,
    sandbox_codes_are_spent_once_and_grants_rotate_and_revoke,
    concurrent_sandbox_redemptions_and_rotations_let_exactly_one_win,
    text_with_a_nul_character_is_refused_alike,
    the_last_owner_stays_and_invitations_are_taken_once,
    app_keys_open_until_revoked_and_sign_in_failures_count_per_subject,
    a_token_key_fingerprint_is_agreed_once,
    mcp_sessions_remember_their_client_until_ended_or_idle,
    agents_codes_and_refresh_tokens_work_once_and_a_replay_revokes_the_grant,
    the_app_revision_moves_with_everything_its_chat_shows,
    servers_claiming_due_runs_of_several_apps_at_once_all_succeed,
);

async fn text_with_a_nul_character_is_refused_alike(store: &Store) {
    let (app_id, owner) = app_with_owner(store).await;
    let nul = |r: Result<_, StoreError>| matches!(r, Err(StoreError::InvalidText(_)));
    assert!(nul(store.create_app("To\0do", "{}", "UTC", owner).await.map(|_| ())));
    assert!(nul(store.rename_app(app_id, "a\0b").await));
    assert!(nul(store.create_user("x\0@example.com", "X").await.map(|_| ())));
    let message = NewMessage { app_id, author_id: Some(owner), role: "builder", body: "hi\0", payload: None };
    assert!(nul(store.add_message(message).await.map(|_| ())));
    // JSON text escapes the character, so a structure holding one is still stored.
    store.update_app_structure(app_id, &serde_json::json!({"name": "a\u{0}b"}).to_string()).await.unwrap();
    store.audit(Some(app_id), Some(owner), "test", None, Some("who\0"), Some("what\0")).await.unwrap();
}

async fn the_last_owner_stays_and_invitations_are_taken_once(store: &Store) {
    let (app_id, owner) = app_with_owner(store).await;
    assert!(matches!(store.change_member(app_id, owner, Some(Role::Editor)).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.change_member(app_id, owner, None).await, Err(StoreError::Conflict(_))));
    let invited =
        store.create_invitation("hash-1", app_id, "new@example.com", Role::Editor, owner, now() + 60).await.unwrap();
    let newcomer = store.create_user(&format!("new-{}@example.com", pg::rand_suffix()), "New").await.unwrap();
    let (a, b) = tokio::join!(
        store.accept_invitation("hash-1", newcomer.id, now()),
        store.accept_invitation("hash-1", newcomer.id, now())
    );
    assert_eq!([a.unwrap().is_some(), b.unwrap().is_some()].iter().filter(|x| **x).count(), 1, "taken exactly once");
    assert_eq!(store.role_of(app_id, newcomer.id).await.unwrap(), Some(Role::Editor));
    assert!(store.open_invitation("hash-1", now()).await.unwrap().is_none());
    assert!(store.pending_invitations(app_id).await.unwrap().iter().all(|i| i.id != invited.id));
    // Now that there are two owners, one may step down.
    store.change_member(app_id, newcomer.id, Some(Role::Owner)).await.unwrap();
    store.change_member(app_id, owner, Some(Role::Editor)).await.unwrap();
}

async fn app_keys_open_until_revoked_and_sign_in_failures_count_per_subject(store: &Store) {
    let (app_id, owner) = app_with_owner(store).await;
    let key = store.create_app_key(app_id, "Backend", "keyhash", "…abcd", Some(owner)).await.unwrap();
    assert_eq!(store.use_app_key("keyhash", now()).await.unwrap().map(|k| k.id), Some(key.id));
    assert!(store.use_app_key("otherhash", now()).await.unwrap().is_none());
    store.revoke_app_key(app_id, key.id, now()).await.unwrap();
    assert!(store.use_app_key("keyhash", now()).await.unwrap().is_none());

    let at = now();
    store.record_sign_in_failure(&["email:a@x.com", "addr:1.2.3.4"], at).await.unwrap();
    store.record_sign_in_failure(&["email:a@x.com"], at + 1).await.unwrap();
    assert_eq!(store.sign_in_failures("email:a@x.com", at - 10).await.unwrap(), (2, Some(at)));
    store.clear_sign_in_failures("email:a@x.com").await.unwrap();
    assert_eq!(store.sign_in_failures("email:a@x.com", at - 10).await.unwrap().0, 0);
    assert_eq!(store.sign_in_failures("addr:1.2.3.4", at - 10).await.unwrap().0, 1);
}

async fn a_token_key_fingerprint_is_agreed_once(store: &Store) {
    let first = store.agree_on_fact("fingerprint-test", "aaa", now()).await.unwrap();
    let second = store.agree_on_fact("fingerprint-test", "bbb", now()).await.unwrap();
    assert_eq!((first.as_str(), second.as_str()), ("aaa", "aaa"));
}

async fn mcp_sessions_remember_their_client_until_ended_or_idle(store: &Store) {
    let (app_id, owner) = app_with_owner(store).await;
    let key_hash = format!("mcp-{}", pg::rand_suffix());
    let key = store.create_app_key(app_id, "Agent", &key_hash, "…mcp0", Some(owner)).await.unwrap();
    let (first, second) = (format!("s1-{}", pg::rand_suffix()), format!("s2-{}", pg::rand_suffix()));
    for id_hash in [&first, &second] {
        let session = NewMcpSession {
            id_hash,
            app_id,
            caller: &format!("key:{}", key.id),
            protocol_version: "2025-11-25",
            url_elicitation: true,
            tools_digest: "d1",
        };
        store.insert_mcp_session(session).await.unwrap();
    }
    let found = store.mcp_session(&first).await.unwrap().expect("the session");
    assert!(found.opens_links() && found.caller == format!("key:{}", key.id) && found.tools_digest == "d1");
    store.set_mcp_tools_digest(&first, "d2").await.unwrap();
    store.touch_mcp_session(&first).await.unwrap();
    assert_eq!(store.mcp_session(&first).await.unwrap().unwrap().tools_digest, "d2");
    assert!(!store.delete_mcp_session(&first, app_id + 1).await.unwrap(), "only the app's own");
    assert!(store.delete_mcp_session(&first, app_id).await.unwrap());
    assert!(!store.delete_mcp_session(&first, app_id).await.unwrap(), "ended once");
    assert!(store.mcp_session(&first).await.unwrap().is_none());
    // A day and a moment later, the idle one goes.
    store.purge_idle_mcp_sessions(now() + patchbay::store::MCP_SESSION_IDLE_SECS + 1).await.unwrap();
    assert!(store.mcp_session(&second).await.unwrap().is_none());
}

async fn agents_codes_and_refresh_tokens_work_once_and_a_replay_revokes_the_grant(store: &Store) {
    let (app_id, owner) = app_with_owner(store).await;
    let client_id = format!("mcp_{}", pg::rand_suffix());
    store.insert_mcp_client(&client_id, "Desk agent", r#"["http://127.0.0.1:9/cb"]"#).await.unwrap();
    assert!(store.mcp_client(&client_id).await.unwrap().unwrap().redirects_to("http://127.0.0.1:9/cb"));
    let grant = store.mcp_grant_for(&client_id, app_id, owner).await.unwrap();
    assert_eq!(store.mcp_grant_for(&client_id, app_id, owner).await.unwrap(), grant, "one live grant per person");

    let code = NewMcpCode {
        code_hash: "code-1",
        grant_id: grant,
        redirect_uri: "http://127.0.0.1:9/cb",
        code_challenge: "challenge",
        expires_at: now() + 60,
    };
    store.insert_mcp_code(code).await.unwrap();
    let (a, b) = tokio::join!(store.take_mcp_code("code-1"), store.take_mcp_code("code-1"));
    assert_eq!([a.unwrap().is_some(), b.unwrap().is_some()].iter().filter(|x| **x).count(), 1, "taken once");

    store.insert_mcp_token("access-1", grant, "access", now() + 60).await.unwrap();
    store.insert_mcp_token("refresh-1", grant, "refresh", now() + 60).await.unwrap();
    assert_eq!(store.mcp_access("access-1").await.unwrap().map(|g| g.client_name), Some("Desk agent".into()));
    assert!(store.mcp_access("refresh-1").await.unwrap().is_none(), "a refresh token opens nothing");
    assert!(matches!(store.use_mcp_refresh("refresh-1", "mcp_other").await.unwrap(), RefreshUse::Unknown));
    assert!(
        matches!(store.use_mcp_refresh("refresh-1", &client_id).await.unwrap(), RefreshUse::Fresh(g) if g == grant)
    );
    assert!(matches!(store.use_mcp_refresh("refresh-1", &client_id).await.unwrap(), RefreshUse::Replayed));
    assert!(store.mcp_access("access-1").await.unwrap().is_none(), "the replay revoked the grant");
    assert!(store.mcp_grants_of_app(app_id).await.unwrap().is_empty());
}

/// The chat page draws its conversation again only when the app's revision moved, so
/// every write the conversation shows must move it, on both backends, and writes to
/// another app must not.
async fn the_app_revision_moves_with_everything_its_chat_shows(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let (other_app, _) = app_with_owner(store).await;
    let session = format!("revision-{}", pg::rand_suffix());
    store.create_session(&session, user, now() + 600).await.unwrap();
    let revision = async |app_id| store.session_member(&session, now(), app_id).await.unwrap().unwrap().revision;
    let mut seen = revision(app).await.expect("the app exists");
    let mut moved = async |what: &str| {
        let now_at = revision(app).await.unwrap();
        assert!(now_at > seen, "{what} must move the app's revision ({seen} → {now_at})");
        seen = now_at;
    };

    let message = NewMessage { app_id: app, author_id: Some(user), role: "builder", body: "hi", payload: None };
    let message = store.add_message(message).await.unwrap();
    moved("a new message").await;
    store.set_message_answer(message.id, "hi again", "{\"cards\":[]}").await.unwrap();
    moved("an answered question").await;
    store.set_card_state(message.id, "gmail", "skipped", None, Some(user)).await.unwrap();
    moved("a card decision").await;
    let scopes = vec!["read".to_owned()];
    let connection = store.insert_connection(shared(app, "gmail", user, &scopes, b"sealed")).await.unwrap();
    moved("a new connection").await;
    store.set_connector_policy(app, "slack", false, true, Some(user)).await.unwrap();
    moved("a policy").await;
    let flow = store.create_flow(app, "Daily", "draft", None, "{}", None, Some(user)).await.unwrap();
    moved("a new flow").await;
    store.add_flow_version(flow.id, "{}", "blocked", Some("needs access"), Some(user)).await.unwrap();
    moved("a flow's new version").await;
    store.put_schedule(flow.id, "0 9 * * *", "UTC", now() + 60).await.unwrap();
    moved("a schedule").await;
    let run = NewRun {
        flow_id: flow.id,
        app_id: app,
        flow_version: 2,
        started_by: "test",
        occurrence_at: None,
        status: "queued",
        is_test: true,
        record: None,
        previous: None,
        error: None,
        at: now(),
    };
    store.add_run(run).await.unwrap();
    moved("a run").await;
    store.update_app_structure(app, "{\"pages\":[\"Tasks\"]}").await.unwrap();
    moved("the app's structure").await;
    store.delete_connection(connection.id).await.unwrap();
    moved("a removed connection").await;

    let before = revision(other_app).await;
    store.set_card_state(message.id, "gmail", "pending", None, Some(user)).await.unwrap();
    assert_eq!(revision(other_app).await, before, "another app's writes leave this one's revision");
    // Removing the app removes what the triggers watch, without an error.
    store.delete_app(app).await.unwrap();
    assert_eq!(store.session_member(&session, now(), app).await.unwrap().unwrap().revision, None);
}

/// A claim changes runs of several apps in one statement, and each change moves its app's
/// revision: claims racing from several servers must still all succeed.
async fn servers_claiming_due_runs_of_several_apps_at_once_all_succeed(store: &Store) {
    let mut flows = Vec::new();
    for _ in 0..4 {
        let (app, user) = app_with_owner(store).await;
        let flow = store.create_flow(app, "Hourly", "active", None, "{}", None, Some(user)).await.unwrap();
        flows.push((app, flow.id));
    }
    let at = now();
    for i in 0..80 {
        let (app_id, flow_id) = flows[(i * 7) % flows.len()];
        let run = NewRun {
            flow_id,
            app_id,
            flow_version: 1,
            started_by: "schedule",
            occurrence_at: Some(at - 1000 + i as i64),
            status: "queued",
            is_test: false,
            record: None,
            previous: None,
            error: None,
            at: at - 1000 + i as i64,
        };
        store.add_run(run).await.unwrap();
    }
    let claims = (0..8).map(|_| store.claim_runs(at, at + 60, 5));
    let mut claimed = Vec::new();
    for round in 0..3 {
        for outcome in futures::future::join_all(claims.clone()).await {
            claimed.extend(
                outcome.unwrap_or_else(|e| panic!("round {round}: a claim failed: {e}")).into_iter().map(|r| r.id),
            );
        }
    }
    let total = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!((claimed.len(), total), (80, 80), "every due run claimed exactly once");
}

async fn app_with_owner(store: &Store) -> (i64, i64) {
    let owner = store.create_user(&format!("owner-{}@example.com", pg::rand_suffix()), "Owner").await.unwrap();
    let app = store.create_app("Todo", "{\"name\":\"Todo\"}", "Europe/Paris", owner.id).await.unwrap();
    (app.id, owner.id)
}

fn shared<'a>(app_id: i64, connector: &'a str, user: i64, scopes: &'a [String], sealed: &'a [u8]) -> NewConnection<'a> {
    NewConnection {
        app_id,
        connector,
        kind: "shared",
        owner_user_id: None,
        account: Some("a@example.com"),
        status: "connected",
        granted_scopes: scopes,
        sealed_tokens: Some(sealed),
        expires_at: Some(now() + 3600),
        connected_by: user,
    }
}

async fn users_apps_and_roles_round_trip(store: &Store) {
    assert!(store.ping().await);
    let ada = store.create_user("ada@example.com", "Ada").await.unwrap();
    let ed = store.create_user("ed@example.com", "Ed").await.unwrap();
    let una = store.create_user("una@example.com", "Una").await.unwrap();
    assert!(matches!(store.create_user("ada@example.com", "Again").await, Err(StoreError::Conflict(_))));
    assert_eq!(store.user(ada.id).await.unwrap().unwrap().name, "Ada");
    assert_eq!(store.list_users().await.unwrap().len(), 3);

    let app = store.create_app("Todo", "{\"pages\":[\"Tasks\"]}", "UTC", ada.id).await.unwrap();
    assert_eq!(store.app(app.id).await.unwrap().unwrap().structure, "{\"pages\":[\"Tasks\"]}");
    assert_eq!(store.app_count().await.unwrap(), 1);
    assert_eq!(store.role_of(app.id, ada.id).await.unwrap(), Some(Role::Owner), "the creator owns the app");
    store.set_member(app.id, ed.id, Role::Editor).await.unwrap();
    store.set_member(app.id, una.id, Role::Editor).await.unwrap();
    store.set_member(app.id, una.id, Role::AppUser).await.unwrap();
    assert_eq!(store.role_of(app.id, una.id).await.unwrap(), Some(Role::AppUser), "set_member changes a role");
    let members = store.members(app.id).await.unwrap();
    assert_eq!(members.iter().map(|m| m.role).collect::<Vec<_>>(), [Role::Owner, Role::Editor, Role::AppUser]);
    let apps = store.apps_of_user(ed.id).await.unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].1, Role::Editor);

    store.update_app_structure(app.id, "{}").await.unwrap();
    assert_eq!(store.app(app.id).await.unwrap().unwrap().structure, "{}");
    assert!(matches!(store.update_app_structure(9999, "{}").await, Err(StoreError::NotFound)));
    assert_eq!(store.role_of(9999, ada.id).await.unwrap(), None);
}

async fn sessions_find_their_user_until_they_expire(store: &Store) {
    let user = store.create_user("s@example.com", "S").await.unwrap();
    store.create_session("hash-live", user.id, now() + 60).await.unwrap();
    store.create_session("hash-old", user.id, now() - 1).await.unwrap();
    assert_eq!(store.session_user("hash-live", now()).await.unwrap().unwrap().id, user.id);
    assert!(store.session_user("hash-old", now()).await.unwrap().is_none(), "expired sessions do not sign in");
    store.delete_session("hash-live").await.unwrap();
    assert!(store.session_user("hash-live", now()).await.unwrap().is_none());
}

async fn connections_round_trip_with_sealed_bytes_and_scopes(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let scopes = vec!["https://www.googleapis.com/auth/gmail.send".to_owned()];
    let sealed = vec![0u8, 1, 2, 255, 254];
    let row = store.insert_connection(shared(app, "gmail", user, &scopes, &sealed)).await.unwrap();
    assert_eq!(row.granted_scopes().unwrap(), scopes);
    assert_eq!(row.sealed_tokens.as_deref(), Some(sealed.as_slice()));
    assert_eq!(row.version, 0);
    assert_eq!(store.connection(row.id).await.unwrap().unwrap(), row);
    assert_eq!(store.shared_connection(app, "gmail").await.unwrap().unwrap().id, row.id);
    assert!(store.shared_connection(app, "slack").await.unwrap().is_none());

    // App-user connections: one per user, several per connector.
    let other = store.create_user("o@example.com", "O").await.unwrap();
    for owner in [user, other.id] {
        let mut c = shared(app, "gmail", owner, &scopes, &sealed);
        c.kind = "app_user";
        c.owner_user_id = Some(owner);
        store.insert_connection(c).await.unwrap();
    }
    assert_eq!(store.connections_of_app(app).await.unwrap().len(), 3);

    store.set_connection_status(row.id, "revoked", Some("the provider refused the refresh token")).await.unwrap();
    let revoked = store.connection(row.id).await.unwrap().unwrap();
    assert_eq!(
        (revoked.status.as_str(), revoked.status_reason.as_deref()),
        ("revoked", Some("the provider refused the refresh token"))
    );
    store.touch_connection(row.id, 42).await.unwrap();
    store.set_connected_by(row.id, other.id).await.unwrap();
    let touched = store.connection(row.id).await.unwrap().unwrap();
    assert_eq!((touched.last_used_at, touched.connected_by), (Some(42), Some(other.id)));

    store.set_connection_status(row.id, "connected", None).await.unwrap();
    let soon = store.connections_expiring(now() + 7200, now()).await.unwrap();
    assert!(soon.iter().any(|c| c.id == row.id), "a token expiring within the window is listed");
    assert!(store.connections_expiring(now(), now()).await.unwrap().iter().all(|c| c.id != row.id));

    // One refresher at a time, then a failure that backs off.
    let current = store.connection(row.id).await.unwrap().unwrap();
    assert!(store.claim_refresh(row.id, current.version, now() + 30).await.unwrap());
    assert!(!store.claim_refresh(row.id, current.version + 1, now() + 30).await.unwrap(), "the lease is held");
    store.refresh_failed(row.id, "error", "the provider did not answer in time", Some(now() + 600)).await.unwrap();
    let failed = store.connection(row.id).await.unwrap().unwrap();
    assert_eq!((failed.status.as_str(), failed.refresh_failures, failed.refresh_lease_until), ("error", 1, None));
    assert!(
        store.connections_expiring(now() + 7200, now()).await.unwrap().iter().all(|c| c.id != row.id),
        "backing off"
    );
    assert!(store.connections_expiring(now() + 7200, now() + 601).await.unwrap().iter().any(|c| c.id == row.id));

    store.disconnect_connection(row.id, "disconnected by Ada").await.unwrap();
    let gone = store.connection(row.id).await.unwrap().unwrap();
    assert_eq!((gone.status.as_str(), gone.sealed_tokens.is_none(), gone.expires_at), ("disconnected", true, None));

    assert!(store.delete_connection(row.id).await.unwrap());
    assert!(!store.delete_connection(row.id).await.unwrap());
    assert!(store.connection(row.id).await.unwrap().is_none());
}

async fn a_second_shared_connection_for_the_same_connector_is_a_conflict(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let scopes = vec![];
    store.insert_connection(shared(app, "slack", user, &scopes, b"x")).await.unwrap();
    let err = store.insert_connection(shared(app, "slack", user, &scopes, b"y")).await.unwrap_err();
    match err {
        StoreError::Conflict(msg) => assert!(msg.contains("Reconnect"), "{msg}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Another app, or another connector, is fine.
    let (app2, user2) = app_with_owner(store).await;
    store.insert_connection(shared(app2, "slack", user2, &scopes, b"z")).await.unwrap();
    store.insert_connection(shared(app, "gmail", user, &scopes, b"z")).await.unwrap();
}

async fn concurrent_attempts_to_add_one_shared_connection_store_exactly_one(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let attempts = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let scopes = vec![];
            let sealed = vec![i as u8];
            store.insert_connection(shared(app, "hubspot", user, &scopes, &sealed)).await
        })
    });
    let results = futures::future::join_all(attempts).await;
    let ok = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
    let conflicts = results.iter().filter(|r| matches!(r, Ok(Err(StoreError::Conflict(_))))).count();
    assert_eq!((ok, conflicts), (1, 7), "{results:?}");
    let rows = store.connections_of_app(app).await.unwrap();
    assert_eq!(rows.iter().filter(|c| c.connector == "hubspot").count(), 1);
}

async fn token_writes_are_refused_when_another_writer_got_there_first(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let scopes = vec!["a".to_owned()];
    let row = store.insert_connection(shared(app, "github", user, &scopes, b"old")).await.unwrap();
    let update = |sealed: &'static [u8]| TokenUpdate {
        sealed_tokens: Some(sealed),
        expires_at: Some(now() + 60),
        granted_scopes: None,
        account: None,
        status: "connected",
        status_reason: None,
    };
    assert!(store.update_tokens(row.id, row.version, update(b"first")).await.unwrap());
    assert!(!store.update_tokens(row.id, row.version, update(b"second")).await.unwrap(), "stale version loses");
    let now_row = store.connection(row.id).await.unwrap().unwrap();
    assert_eq!(now_row.sealed_tokens.as_deref(), Some(&b"first"[..]));
    assert_eq!(now_row.version, row.version + 1);
    assert_eq!(now_row.granted_scopes().unwrap(), scopes, "scopes stay when not given");

    let more = vec!["a".to_owned(), "b".to_owned()];
    let mut with_scopes = update(b"third");
    with_scopes.granted_scopes = Some(&more);
    with_scopes.account = Some("b@example.com");
    assert!(store.update_tokens(row.id, now_row.version, with_scopes).await.unwrap());
    let last = store.connection(row.id).await.unwrap().unwrap();
    assert_eq!((last.granted_scopes().unwrap(), last.account.as_deref()), (more, Some("b@example.com")));
}

async fn pending_authorizations_are_taken_exactly_once(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let scopes = vec!["s1".to_owned(), "s2".to_owned()];
    let live = PendingAuthorization::new(
        "h-live".into(),
        app,
        "gmail",
        user,
        &scopes,
        "connect",
        Some(7),
        Some(vec![9, 9]),
        now(),
        now() + 600,
    );
    let old = PendingAuthorization::new(
        "h-old".into(),
        app,
        "gmail",
        user,
        &scopes,
        "connect",
        None,
        None,
        now() - 700,
        now() - 100,
    );
    store.insert_pending(&live).await.unwrap();
    store.insert_pending(&old).await.unwrap();
    let taken = store.take_pending("h-live").await.unwrap().unwrap();
    assert_eq!(taken, live);
    assert_eq!(taken.scopes().unwrap(), scopes);
    assert!(store.take_pending("h-live").await.unwrap().is_none(), "a state is single use");
    assert!(store.take_pending("h-unknown").await.unwrap().is_none());
    assert_eq!(store.purge_expired_pending(now()).await.unwrap(), 1);
    assert!(store.take_pending("h-old").await.unwrap().is_none());
}

async fn chat_messages_and_card_decisions_round_trip(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let asked = store
        .add_message(NewMessage {
            app_id: app,
            author_id: Some(user),
            role: "builder",
            body: "email me daily",
            payload: None,
        })
        .await
        .unwrap();
    let answer = store
        .add_message(NewMessage {
            app_id: app,
            author_id: None,
            role: "assistant",
            body: "Gmail needed",
            payload: Some("{\"cards\":[]}"),
        })
        .await
        .unwrap();
    let all = store.messages_of_app(app).await.unwrap();
    assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), [asked.id, answer.id]);
    assert_eq!(store.message(answer.id).await.unwrap().unwrap().payload.as_deref(), Some("{\"cards\":[]}"));

    store.set_card_state(answer.id, "gmail", "skipped", None, Some(user)).await.unwrap();
    store.set_card_state(answer.id, "gmail", "pending", Some("brought back"), Some(user)).await.unwrap();
    let states = store.card_states_of_app(app).await.unwrap();
    assert_eq!(states.len(), 1, "one state per card");
    assert_eq!((states[0].state.as_str(), states[0].detail.as_deref()), ("pending", Some("brought back")));
}

async fn flows_keep_every_version(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    let flow = store.create_flow(app, "Daily tasks", "draft", None, "{\"v\":1}", None, Some(user)).await.unwrap();
    assert_eq!(flow.version, 1);
    let v2 = store
        .add_flow_version(flow.id, "{\"v\":2}", "blocked", Some("needs more permissions"), Some(user))
        .await
        .unwrap();
    assert_eq!(v2, 2);
    let row = store.flow(flow.id).await.unwrap().unwrap();
    assert_eq!((row.version, row.status.as_str()), (2, "blocked"));
    assert_eq!(store.flow_version(flow.id, 1).await.unwrap().unwrap().definition, "{\"v\":1}");
    assert_eq!(store.flow_version(flow.id, 2).await.unwrap().unwrap().definition, "{\"v\":2}");
    store.set_flow_status(flow.id, "active", None).await.unwrap();
    assert_eq!(store.flows_of_app(app).await.unwrap()[0].status, "active");
    assert!(matches!(store.add_flow_version(9999, "{}", "draft", None, None).await, Err(StoreError::NotFound)));
}

async fn the_audit_log_lists_newest_first(store: &Store) {
    let (app, user) = app_with_owner(store).await;
    store.audit(Some(app), Some(user), "connect", Some("gmail"), Some("a@example.com"), None).await.unwrap();
    store
        .audit(
            Some(app),
            Some(user),
            "disconnect",
            Some("gmail"),
            Some("a@example.com"),
            Some("revoked at the provider"),
        )
        .await
        .unwrap();
    let log = store.audit_of_app(app, 10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["disconnect", "connect"]);
    assert!(log.iter().all(|e| e.key_id.is_none()), "a person acted, not a key");
    let key = store.create_app_key(app, "agent", "hash-of-agent-key", "…abcd", Some(user)).await.unwrap();
    store.audit_key_call(app, key.id, "mcp.tool_call", Some("gmail"), "execute: ok").await.unwrap();
    let newest = &store.audit_of_app(app, 1).await.unwrap()[0];
    assert_eq!((newest.key_id, newest.connector.as_deref()), (Some(key.id), Some("gmail")));
    assert_eq!(newest.detail.as_deref(), Some("execute: ok"));
}

async fn migrating_twice_changes_nothing(store: &Store) {
    store.migrate().await.expect("a second migration run is a no-op");
    assert!(store.ping().await);
}

fn sandbox_code(hash: &str, expires_at: i64) -> SandboxCode {
    let scopes = ["openid".to_owned(), "email".to_owned()];
    SandboxCode::new(
        hash.into(),
        "gmail",
        "http://pb/cb",
        &scopes,
        "challenge",
        "a@example.com",
        "A",
        now(),
        expires_at,
    )
}

fn sandbox_access<'a>(hash: &'a str, scopes: &'a [String], expires_at: i64) -> NewSandboxAccessToken<'a> {
    NewSandboxAccessToken { token_hash: hash, scopes, expires_at }
}

fn sandbox_grant<'a>(refresh_hash: &'a str, scopes: &'a [String], code_hash: Option<&'a str>) -> NewSandboxGrant<'a> {
    NewSandboxGrant {
        connector: "gmail",
        scopes,
        account_email: "a@example.com",
        account_name: "A",
        refresh_hash,
        code_hash,
    }
}

async fn sandbox_codes_are_spent_once_and_grants_rotate_and_revoke(store: &Store) {
    let at = now();
    let code = sandbox_code("c-1", at + 300);
    store.insert_sandbox_code(&code).await.unwrap();
    assert_eq!(store.redeem_sandbox_code("c-1", at).await.unwrap(), CodeRedemption::Fresh(code.clone()));
    assert_eq!(code.scopes().unwrap(), ["openid", "email"]);
    assert_eq!(store.redeem_sandbox_code("c-1", at).await.unwrap(), CodeRedemption::Replayed { grant_id: None });
    assert_eq!(store.redeem_sandbox_code("c-unknown", at).await.unwrap(), CodeRedemption::Unknown);

    // A grant issued for the code: a replay now names it.
    let scopes = code.scopes().unwrap();
    let grant = store
        .create_sandbox_grant(sandbox_grant("r-1", &scopes, Some("c-1")), sandbox_access("a-1", &scopes, at + 60), at)
        .await
        .unwrap();
    assert_eq!((grant.connector.as_str(), grant.scopes().unwrap()), ("gmail", scopes.clone()));
    assert_eq!(
        store.redeem_sandbox_code("c-1", at).await.unwrap(),
        CodeRedemption::Replayed { grant_id: Some(grant.id) }
    );
    let live = store.sandbox_access("a-1", at).await.unwrap().expect("a live access token");
    assert_eq!((live.grant.id, live.scopes.clone(), live.expires_at), (grant.id, scopes.clone(), at + 60));
    assert!(store.sandbox_access("a-1", at + 60).await.unwrap().is_none(), "expired at its expiry");
    assert!(store.sandbox_access("r-1", at).await.unwrap().is_none(), "a refresh token is not an access token");

    // Rotation: the old refresh hash stops finding the grant.
    assert_eq!(store.sandbox_grant_by_refresh("r-1").await.unwrap().map(|g| g.id), Some(grant.id));
    let narrow = vec!["email".to_owned()];
    assert!(
        store
            .rotate_sandbox_refresh(grant.id, "r-1", "r-2", sandbox_access("a-2", &narrow, at + 60), at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .rotate_sandbox_refresh(grant.id, "r-1", "r-3", sandbox_access("a-3", &narrow, at + 60), at)
            .await
            .unwrap()
    );
    assert!(store.sandbox_grant_by_refresh("r-1").await.unwrap().is_none());
    assert!(store.sandbox_access("a-3", at).await.unwrap().is_none(), "a lost rotation stores no token");
    assert_eq!(store.sandbox_access("a-2", at).await.unwrap().unwrap().scopes, narrow);

    // Revocation: an access token alone, or a refresh token with all its access tokens;
    // another client's token is left alone.
    assert!(!store.revoke_sandbox_token("a-1", "outlook").await.unwrap());
    assert!(store.revoke_sandbox_token("a-1", "gmail").await.unwrap());
    assert!(store.sandbox_access("a-1", at).await.unwrap().is_none());
    assert!(store.sandbox_access("a-2", at).await.unwrap().is_some());
    assert!(!store.revoke_sandbox_token("r-2", "outlook").await.unwrap());
    assert!(store.revoke_sandbox_token("r-2", "gmail").await.unwrap());
    assert!(store.sandbox_access("a-2", at).await.unwrap().is_none(), "revoking the grant revokes its access tokens");
    assert!(!store.revoke_sandbox_token("r-2", "gmail").await.unwrap());

    let other = store
        .create_sandbox_grant(sandbox_grant("r-9", &scopes, None), sandbox_access("a-9", &scopes, at + 60), at)
        .await
        .unwrap();
    assert!(store.revoke_sandbox_grant(other.id).await.unwrap());
    assert!(store.sandbox_access("a-9", at).await.unwrap().is_none());

    // Housekeeping drops expired codes and access tokens, nothing live.
    store.insert_sandbox_code(&sandbox_code("c-old", at - 1)).await.unwrap();
    store.insert_sandbox_code(&sandbox_code("c-new", at + 300)).await.unwrap();
    let kept = store
        .create_sandbox_grant(sandbox_grant("r-k", &scopes, None), sandbox_access("a-old", &scopes, at - 1), at)
        .await
        .unwrap();
    assert_eq!(
        store.purge_expired_sandbox(at).await.unwrap(),
        2,
        "c-old and a-old; the used c-1 stays until it expires"
    );
    assert_eq!(store.redeem_sandbox_code("c-old", at).await.unwrap(), CodeRedemption::Unknown);
    assert!(matches!(store.redeem_sandbox_code("c-new", at).await.unwrap(), CodeRedemption::Fresh(_)));
    assert_eq!(store.sandbox_grant_by_refresh("r-k").await.unwrap().map(|g| g.id), Some(kept.id), "grants stay");
}

async fn concurrent_sandbox_redemptions_and_rotations_let_exactly_one_win(store: &Store) {
    let at = now();
    store.insert_sandbox_code(&sandbox_code("c-race", at + 300)).await.unwrap();
    let redemptions = (0..6).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.redeem_sandbox_code("c-race", at).await })
    });
    let results = futures::future::join_all(redemptions).await;
    let fresh = results.iter().filter(|r| matches!(r, Ok(Ok(CodeRedemption::Fresh(_))))).count();
    let replays = results.iter().filter(|r| matches!(r, Ok(Ok(CodeRedemption::Replayed { .. })))).count();
    assert_eq!((fresh, replays), (1, 5), "{results:?}");

    let scopes = vec!["email".to_owned()];
    let grant = store
        .create_sandbox_grant(sandbox_grant("r-race", &scopes, None), sandbox_access("a-0", &scopes, at + 60), at)
        .await
        .unwrap();
    let rotations = (0..6).map(|i| {
        let (store, scopes) = (store.clone(), scopes.clone());
        tokio::spawn(async move {
            let (new, access) = (format!("r-new-{i}"), format!("a-new-{i}"));
            store.rotate_sandbox_refresh(grant.id, "r-race", &new, sandbox_access(&access, &scopes, at + 60), at).await
        })
    });
    let results = futures::future::join_all(rotations).await;
    let won = results.iter().filter(|r| matches!(r, Ok(Ok(true)))).count();
    let lost = results.iter().filter(|r| matches!(r, Ok(Ok(false)))).count();
    assert_eq!((won, lost), (1, 5), "{results:?}");
}
