//! The router's questions in the chat: one button per tool and a "No"; one click answers
//! the question and the chosen tool's card follows.

use crate::helpers::{OWNER, TODO_APP, TestApp, text};

/// Posts a request whose kind of tool the router cannot tell, and returns the answer's id.
async fn ask(app: &TestApp, owner: &reqwest::Client) -> i64 {
    owner.post(app.url("/apps/1/chat")).form(&[("message", "Notify me of new leads")]).send().await.unwrap();
    app.store.messages_of_app(TODO_APP).await.unwrap().into_iter().rfind(|m| m.role == "assistant").unwrap().id
}

#[tokio::test]
async fn choosing_a_tool_answers_the_question_and_its_card_follows() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let message = ask(&app, &owner).await;
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Which CRM holds these records?"), "the question is shown");
    assert!(chat.contains(r#"name="option" value="pipedrive""#) && chat.contains(r#"value="none""#));
    assert!(!chat.contains(&format!("card-{message}-pipedrive")), "no card before the answer");

    let url = format!("/apps/1/chat/{message}/asks/0");
    let resp = owner.post(app.url(&url)).form(&[("option", "pipedrive")]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains(&format!("card-{message}-pipedrive")), "the chosen tool's card follows");
    assert!(!chat.contains("Which CRM holds these records?"), "the question is answered");

    let again = owner.post(app.url(&url)).form(&[("option", "hubspot")]).send().await.unwrap();
    assert_eq!(again.status(), 422, "an answered question takes no second answer");
}

#[tokio::test]
async fn no_closes_the_question_without_a_card_and_a_tool_off_the_list_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let message = ask(&app, &owner).await;
    let url = format!("/apps/1/chat/{message}/asks/0");
    let wrong = owner.post(app.url(&url)).form(&[("option", "gmail")]).send().await.unwrap();
    assert_eq!(wrong.status(), 422, "Gmail is not one of the choices");
    let resp = owner.post(app.url(&url)).form(&[("option", "none")]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(!chat.contains("Which CRM holds these records?"));
    assert!(!chat.contains(&format!("card-{message}-")), "no card was added");
    let elsewhere = owner.post(app.url(&format!("/apps/1/chat/{}/asks/0", message + 100))).form(&[("option", "none")]);
    assert_eq!(elsewhere.send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn in_the_browser_one_click_on_a_suggested_tool_brings_its_card() {
    use crate::browser::{Driver, sign_in};
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url("/apps/1/chat")).await.unwrap();
    d.type_into("textarea#message", "Notify me of new leads").await;
    d.press("Send").await;
    let ask = d.wait_for(Locator::Css("section.ask")).await;
    assert!(ask.text().await.unwrap().contains("Which CRM"), "the question shows without a reload");
    let answer = d.text_of("#messages li:last-child .msg-body").await;
    assert!(answer.contains("not sure which"), "the answer does not claim nothing is needed: {answer}");
    d.screenshot("chat-ask.png").await;
    ask.find(Locator::Css("button[value='pipedrive']")).await.unwrap().click().await.unwrap();
    let card = d.wait_for(Locator::Css("section.card[id$='-pipedrive']")).await;
    assert!(card.text().await.unwrap().contains("Pipedrive"));
    assert!(d.client.find(Locator::Css("section.ask")).await.is_err(), "the answered question is gone");
    let answer = d.text_of("#messages li:last-child .msg-body").await;
    assert!(answer.contains("Pipedrive") && !answer.contains("not sure"), "the answer follows the choice: {answer}");
    d.screenshot("chat-ask-answered.png").await;
}
