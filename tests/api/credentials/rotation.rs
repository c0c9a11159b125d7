//! Replacing credentials from My integrations, and disconnecting them.

use super::{connect_with_test_values, test_form, with_wrong_secret};
use crate::helpers::{OWNER, TODO_APP, TestApp, defaults, location, text};

async fn replacing_credentials_tries_the_new_ones_first_and_keeps_the_old_ones_when_refused(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let row = connect_with_test_values(&app, "freshdesk").await;
    let page_url = app.url(&format!("/apps/1/integrations/{}/credentials", row.id));
    let page = text(owner.get(&page_url).send().await.unwrap(), 200).await;
    assert!(page.contains("Replace Freshdesk credentials") && page.contains("name=\"cred.api_key\""));
    assert!(!page.contains("sandboxFreshdeskApiKey"), "the old key is never shown again");

    let refused = owner.post(&page_url).form(&with_wrong_secret(&app, "freshdesk")).send().await.unwrap();
    let body = text(refused, 400).await;
    assert!(
        body.contains("Freshdesk did not accept this") && body.contains("The credentials in use were kept."),
        "{body}"
    );
    let after = app.store.connection(row.id).await.unwrap().unwrap();
    assert_eq!(after.sealed_tokens, row.sealed_tokens, "the old credentials stay");
    assert_eq!(after.status, "connected");

    let accepted = owner.post(&page_url).form(&test_form(&app, "freshdesk")).send().await.unwrap();
    assert_eq!(accepted.status(), 303);
    assert!(location(&accepted).contains("notice=credentials_replaced"));
    let after = app.store.connection(row.id).await.unwrap().unwrap();
    assert_ne!(after.sealed_tokens, row.sealed_tokens, "sealed anew");
    let audit = app.store.audit_of_app(TODO_APP, 10).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "replace_credentials"), "the replacement is audited");
}

async fn disconnecting_deletes_the_credentials_and_says_nothing_was_revoked_at_the_provider(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let row = connect_with_test_values(&app, "stripe").await;
    let confirm = owner.get(app.url(&format!("/apps/1/integrations/{}/disconnect", row.id))).send().await.unwrap();
    let confirm = text(confirm, 200).await;
    assert!(confirm.contains("cannot revoke a key at Stripe"), "the confirmation is honest too");
    let resp = owner.post(app.url(&format!("/apps/1/integrations/{}/disconnect", row.id))).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    assert!(to.contains("notice=credentials_deleted"), "{to}");
    let page = text(owner.get(app.url(&to)).send().await.unwrap(), 200).await;
    assert!(page.contains("Nothing was revoked at Stripe"), "honest about revocation");
    assert!(page.contains("Developers → API keys"), "says where to revoke the key");
    assert!(page.contains("Connect again"));
    let after = app.store.connection(row.id).await.unwrap().unwrap();
    assert!(after.sealed_tokens.is_none(), "the credentials are deleted");
}

async fn an_editor_tries_a_telegram_message_from_my_integrations(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let row = connect_with_test_values(&app, "telegram").await;
    let try_link = format!("/apps/1/integrations/{}/try", row.id);
    let done = owner
        .post(app.url(&try_link))
        .form(&[("action", "post_message"), ("in.channel", "@team"), ("in.text", "Hello from the card")])
        .send()
        .await
        .unwrap();
    let page = text(done, 200).await;
    assert!(page.contains("Done: Telegram answered 200"), "the result is shown");
    let sent = &crate::actions::fixture::outbox(&app).await[0];
    assert_eq!(sent["connector"], "telegram");
    assert!(sent["summary"].as_str().unwrap().contains("Hello from the card"), "{sent}");
}

async fn a_key_the_provider_stops_accepting_asks_for_new_credentials(app: TestApp) {
    let row = connect_with_test_values(&app, "wix").await;
    let key = crate::actions::fixture::app_key(&app).await;
    crate::actions::fixture::fault(&app, "wix", "unauthorized", 2).await;
    let inputs = serde_json::json!({"email": "ada@example.com"});
    let (_, answer) = crate::actions::fixture::run(&app, &key, "wix.create_contact", inputs).await;
    assert_ne!(answer["ok"], true, "{answer}");
    let after = app.store.connection(row.id).await.unwrap().unwrap();
    assert_eq!(after.status, "needs_reauthorization");
    assert!(after.status_reason.unwrap_or_default().contains("Replace them on My integrations"));
}

on_both_servers!(
    defaults;
    replacing_credentials_tries_the_new_ones_first_and_keeps_the_old_ones_when_refused,
    disconnecting_deletes_the_credentials_and_says_nothing_was_revoked_at_the_provider,
    an_editor_tries_a_telegram_message_from_my_integrations,
    a_key_the_provider_stops_accepting_asks_for_new_credentials,
);
