//! The newcomer's path in headless Chromium: connect Gmail in the sandbox from the chat,
//! press Try an action on My integrations, send an email, and find it in the Sandbox
//! outbox.

use crate::browser::{Driver, connect_gmail, sign_in};
use crate::helpers::TestApp;
use fantoccini::Locator;

#[tokio::test]
async fn a_newcomer_connects_gmail_tries_send_and_sees_the_email_in_the_sandbox_outbox() {
    let app = TestApp::spawn().await;
    let Some(d) = Driver::start().await else { return };
    sign_in(&d, &app, "Ada Owner").await;
    connect_gmail(&d, &app).await;

    d.client.find(Locator::LinkText("My integrations")).await.unwrap().click().await.unwrap();
    d.wait_for(Locator::LinkText("Try an action")).await.click().await.unwrap();
    let to = d.wait_for(Locator::Css("input[name='in.to']")).await;
    assert_eq!(to.prop("value").await.unwrap().as_deref(), Some("ada@example.com"), "sending to yourself first");
    d.type_into("input[name='in.subject']", "Hello from patchbay").await;
    d.type_into("textarea[name='in.body']", "My first email through a sandbox connection.").await;
    d.screenshot("try-an-action.png").await;
    d.press("Run it").await;
    let result = d.text_of(".try-result").await;
    assert!(result.contains("Done: Gmail answered 200"), "{result}");

    d.client.find(Locator::LinkText("See it in the Sandbox outbox")).await.unwrap().click().await.unwrap();
    let sent = d.text_of(".outbox-call").await;
    assert!(sent.contains("Gmail: email to ada@example.com, subject 'Hello from patchbay'"), "{sent}");
    assert!(sent.contains("My first email through a sandbox connection."), "the decoded body: {sent}");
    d.screenshot("sandbox-outbox.png").await;
}
