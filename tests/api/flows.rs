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
