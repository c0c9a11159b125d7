//! An app's Settings page: name and time zone, the structure as a form and as JSON (each
//! problem shown where it belongs), removing a member, and deleting the app after a
//! confirmation that lists what goes with it.

use crate::helpers::{EDITOR, OWNER, TODO_APP, TestApp, location, text};
use patchbay::store::{NewConnection, now};

#[tokio::test]
async fn the_structure_form_saves_entities_and_shows_problems_on_their_row() {
    let app = TestApp::spawn().await;
    let editor = app.signed_in(EDITOR).await;
    let saved = editor
        .post(app.url("/apps/1/settings/structure"))
        .form(&[
            ("pages", "Tasks\nDeals"),
            ("entity_0_name", "Task"),
            ("entity_0_fields", "title\ndue_date: date"),
            ("entity_1_name", "Deal"),
            ("entity_1_fields", "name\namount: number\nstage"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303, "editors may change the structure");
    let stored =
        patchbay::app::AppStructure::parse_json(&app.store.app(TODO_APP).await.unwrap().unwrap().structure).unwrap();
    assert_eq!(stored.entity("deal").unwrap().field("amount").unwrap().kind.as_deref(), Some("number"));
    assert_eq!(stored.pages, ["Tasks", "Deals"]);

    let refused = editor
        .post(app.url("/apps/1/settings/structure"))
        .form(&[("pages", ""), ("entity_0_name", "Deal"), ("entity_0_fields", "amount\nAmount")])
        .send()
        .await
        .unwrap();
    let page = text(refused, 422).await;
    assert!(page.contains("field line 2:"), "the problem names the line");
    assert!(page.contains("amount\nAmount"), "what was typed is kept");

    let json = editor
        .post(app.url("/apps/1/settings/structure.json"))
        .form(&[("json", r#"{"entities": [{"name": "Deal"}], "time_zone": "Atlantis/Capital"}"#)])
        .send()
        .await
        .unwrap();
    assert!(text(json, 422).await.contains("app.time_zone"));
}

#[tokio::test]
async fn the_name_and_time_zone_are_checked_then_saved() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let bad = owner
        .post(app.url("/apps/1/settings/general"))
        .form(&[("name", "Todo"), ("time_zone", "Paris")])
        .send()
        .await
        .unwrap();
    assert!(text(bad, 422).await.contains("is not a time zone name"));
    let good = owner
        .post(app.url("/apps/1/settings/general"))
        .form(&[("name", "Team Todo"), ("time_zone", "Europe/Paris")])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 303);
    let row = app.store.app(TODO_APP).await.unwrap().unwrap();
    assert_eq!((row.name.as_str(), row.time_zone.as_str()), ("Team Todo", "Europe/Paris"));
}

#[tokio::test]
async fn an_owner_removes_a_member_who_then_loses_the_app() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let eddie = app.signed_in(EDITOR).await;
    let eddie_id = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == EDITOR).unwrap().id;
    let page = owner
        .post(app.url(&format!("/apps/1/settings/members/{eddie_id}")))
        .form(&[("action", "remove")])
        .send()
        .await
        .unwrap();
    assert!(text(page, 200).await.contains("no longer has access"));
    assert_eq!(eddie.get(app.url("/apps/1/chat")).send().await.unwrap().status(), 404);
    let members = eddie.get(app.url("/apps/1/settings")).send().await.unwrap();
    assert_eq!(members.status(), 404, "an outsider is not told the app exists");
    let audit = app.store.audit_of_app(TODO_APP, 10).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "member.removed" && a.account.as_deref() == Some(EDITOR)));
    assert_eq!(eddie.post(app.url("/apps/1/settings/keys")).form(&[("name", "x")]).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn deleting_an_app_lists_what_goes_then_revokes_and_removes_it() {
    let app = TestApp::spawn().await;
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap();
    let sealed = patchbay::connections::TokenSet {
        access_token: "a".into(),
        refresh_token: None,
        token_type: "bearer".into(),
        token_secret: None,
    }
    .seal(&app.state.cipher, TODO_APP, "slack");
    app.store
        .insert_connection(NewConnection {
            app_id: TODO_APP,
            connector: "slack",
            kind: "shared",
            owner_user_id: None,
            account: Some("ada@acme.test"),
            status: "connected",
            granted_scopes: &[],
            sealed_tokens: Some(&sealed),
            expires_at: Some(now() + 3600),
            connected_by: ada.id,
        })
        .await
        .unwrap();
    let owner = app.signed_in(OWNER).await;
    let confirm = text(owner.get(app.url("/apps/1/delete")).send().await.unwrap(), 200).await;
    assert!(confirm.contains("Slack (ada@acme.test)"), "the connection to be revoked is named");
    let editor = app.signed_in(EDITOR).await;
    assert_eq!(editor.post(app.url("/apps/1/delete")).send().await.unwrap().status(), 403, "owners only");

    let gone = owner.post(app.url("/apps/1/delete")).send().await.unwrap();
    assert_eq!(gone.status(), 303);
    let home = text(owner.get(app.url(&location(&gone))).send().await.unwrap(), 200).await;
    assert!(home.contains("The app was deleted"), "{home}");
    assert!(app.store.app(TODO_APP).await.unwrap().is_none());
    assert!(app.store.connections_of_app(TODO_APP).await.unwrap().is_empty());
}
