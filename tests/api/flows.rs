//! The chat goes on into a flow once its tools are connected; the Flows page draws it,
//! activates it and offers its JSON.

use crate::helpers::{APP_USER, TODO_APP, text};
use crate::oauth::setup;
use crate::peers;

#[tokio::test]
async fn connecting_the_last_tool_wires_the_flow_for_review_and_activation() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.owner.get(&callback).send().await.unwrap();

    let flows = s.app.store.flows_of_app(TODO_APP).await.unwrap();
    assert_eq!(
        flows.len(),
        1,
        "one flow for the turn: {:?}",
        s.app.store.messages_of_app(TODO_APP).await.unwrap().iter().map(|m| m.body.clone()).collect::<Vec<_>>()
    );
    assert_eq!((flows[0].status.as_str(), flows[0].message_id), ("draft", Some(s.message_id)));
    let chat = s.chat().await;
    assert!(chat.contains("I wired a flow for this"), "the chat turn continues into the flow");
    for step in ["Every day at 08:00", "Task", "Gmail"] {
        assert!(chat.contains(step), "the wiring shows {step}");
    }

    let id = flows[0].id;
    let resp = s.owner.post(s.app.url(&format!("/apps/1/flows/{id}/activate"))).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(s.app.store.flow(id).await.unwrap().unwrap().status, "active");
    let page = text(s.owner.get(s.app.url("/apps/1/flows")).send().await.unwrap(), 200).await;
    assert!(page.contains("Active") && page.contains(">Pause<") && page.contains("Download JSON"));

    let download = s.owner.get(s.app.url(&format!("/apps/1/flows/{id}.json"))).send().await.unwrap();
    assert!(download.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let def = patchbay::wiring::FlowDefinition::from_json(&download.text().await.unwrap())
        .expect("the download is a flow definition");
    assert_eq!(def.source_message_id, Some(s.message_id));
    let scopes = def.declared_scopes();
    assert_eq!(scopes["gmail"].iter().collect::<Vec<_>>(), [crate::oauth::GMAIL_SEND], "only the send scope");
}

#[tokio::test]
async fn data_the_app_lacks_gets_an_explanation_not_a_flow() {
    let Some(s) = setup(|_| {}).await else { return };
    let authorize = s.connect(&s.owner).await;
    let callback = peers::approve(&s.owner, &authorize, "alice@example.com").await;
    s.owner.get(&callback).send().await.unwrap();
    let before = s.app.store.flows_of_app(TODO_APP).await.unwrap().len();
    s.owner
        .post(s.app.url("/apps/1/chat"))
        .form(&[("message", "email me my invoices every Friday with Gmail")])
        .send()
        .await
        .unwrap();
    assert_eq!(s.app.store.flows_of_app(TODO_APP).await.unwrap().len(), before, "no wrong flow");
    assert!(s.chat().await.contains("This app has no invoices"));
}

#[tokio::test]
async fn app_users_cannot_see_or_change_flows() {
    let Some(s) = setup(|_| {}).await else { return };
    let user = s.app.signed_in(APP_USER).await;
    assert_eq!(user.get(s.app.url("/apps/1/flows")).send().await.unwrap().status(), 403);
    assert_eq!(user.post(s.app.url("/apps/1/flows/1/activate")).send().await.unwrap().status(), 403);
}

/// Gmail connected to the seeded Todo app with the send scope, as after its card.
async fn gmail_connected(app: &crate::helpers::TestApp) {
    let owner = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == crate::helpers::OWNER).unwrap();
    let scopes = vec![crate::oauth::GMAIL_SEND.to_owned()];
    app.store
        .insert_connection(patchbay::store::NewConnection {
            app_id: TODO_APP,
            connector: "gmail",
            kind: "shared",
            owner_user_id: None,
            account: Some(crate::helpers::OWNER),
            status: "connected",
            granted_scopes: &scopes,
            sealed_tokens: Some(b"sealed"),
            expires_at: Some(patchbay::store::now() + 3600),
            connected_by: owner.id,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_for_data_the_app_lacks_offers_to_add_it_and_one_click_wires_the_flow() {
    let app = crate::helpers::TestApp::spawn().await;
    gmail_connected(&app).await;
    let owner = app.signed_in(crate::helpers::OWNER).await;
    let said = "Every Friday at 4pm email me the unpaid invoices with Gmail";
    let resp = owner.post(app.url("/apps/1/chat")).form(&[("message", said)]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert!(app.store.flows_of_app(TODO_APP).await.unwrap().is_empty(), "no flow over the wrong data");

    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("This app has no invoices"), "the answer says what is missing");
    let label = "Add an Invoice entity (number, customer email, amount, due date, paid) to this app";
    assert!(chat.contains(label), "the answer offers to add the data");
    let offer = app.store.messages_of_app(TODO_APP).await.unwrap().last().unwrap().id;
    assert!(chat.contains(&format!("/apps/1/offers/{offer}")), "the offer is a button on that answer");

    let resp = owner.post(app.url(&format!("/apps/1/offers/{offer}"))).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let structure = app.store.app(TODO_APP).await.unwrap().unwrap().structure;
    assert!(
        structure.contains("\"Invoice\"") && structure.contains("\"Task\""),
        "Invoice added, Task kept: {structure}"
    );
    let flows = app.store.flows_of_app(TODO_APP).await.unwrap();
    assert_eq!(flows.len(), 1, "the flow is wired once the data exists");
    let def = patchbay::wiring::load(&app.store, flows[0].id).await.unwrap().unwrap().definition;
    let json = def.to_json();
    assert!(json.contains("\"entity\":\"Invoice\"") && json.contains("\"paid\""), "{json}");

    let again = owner.post(app.url(&format!("/apps/1/offers/{offer}"))).send().await.unwrap();
    assert_eq!(again.status(), 303, "a second click changes nothing");
    assert_eq!(app.store.flows_of_app(TODO_APP).await.unwrap().len(), 1);
}

#[tokio::test]
async fn app_users_cannot_take_an_offer() {
    let app = crate::helpers::TestApp::spawn().await;
    let user = app.signed_in(APP_USER).await;
    assert_eq!(user.post(app.url("/apps/1/offers/1")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn asking_for_the_same_flow_again_points_at_it_instead_of_adding_a_copy() {
    let app = crate::helpers::TestApp::spawn().await;
    gmail_connected(&app).await;
    let owner = app.signed_in(crate::helpers::OWNER).await;
    let ask = |words: &'static str| owner.post(app.url("/apps/1/chat")).form(&[("message", words)]).send();
    assert_eq!(ask("Every weekday at 7am, email me my unfinished tasks via Gmail").await.unwrap().status(), 303);
    let first = app.store.flows_of_app(TODO_APP).await.unwrap();
    assert_eq!(first.len(), 1, "the first request wires a flow");

    assert_eq!(ask("every weekday at 7am email me my unfinished tasks via gmail").await.unwrap().status(), 303);
    assert_eq!(app.store.flows_of_app(TODO_APP).await.unwrap().len(), 1, "no second, identical flow");
    let answer = app.store.messages_of_app(TODO_APP).await.unwrap().pop().unwrap();
    assert!(answer.body.contains("already has that flow") && answer.body.contains(&first[0].name), "{}", answer.body);

    assert_eq!(ask("Every Sunday at 6pm, email me my unfinished tasks via Gmail").await.unwrap().status(), 303);
    assert_eq!(app.store.flows_of_app(TODO_APP).await.unwrap().len(), 2, "a different schedule is a new flow");
}
