//! The approval card of each credential connector: its fields, the live test call, and
//! refusals in words with nothing stored.

use super::{TYPED, test_form, with_wrong_secret};
use crate::actions::fixture::{app_key, get_json, outbox, run};
use crate::helpers::{OWNER, TODO_APP, TestApp, defaults, location, text};
use serde_json::json;

/// A request that names the tool, so the chat answers with its card; the message's id.
async fn ask_for(app: &TestApp, client: &reqwest::Client, connector: &str) -> i64 {
    let example = app.state.catalog.get(connector).unwrap().example_prompts[0].clone();
    let message = example.replace("{entity}", "task");
    let resp = client.post(app.url("/apps/1/chat")).form(&[("message", message.as_str())]).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let last = app.store.messages_of_app(TODO_APP).await.unwrap().last().unwrap().id;
    let chat = text(client.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains(&format!("card-{last}-{connector}")), "no {connector} card for: {message}");
    last
}

async fn submit(
    app: &TestApp,
    client: &reqwest::Client,
    connector: &str,
    message_id: i64,
    fields: &[(String, String)],
) -> reqwest::Response {
    let mut form =
        vec![("connector".to_owned(), connector.to_owned()), ("message_id".to_owned(), message_id.to_string())];
    form.extend(fields.iter().cloned());
    client.post(app.url("/apps/1/connect/credentials")).form(&form).send().await.unwrap()
}

async fn each_credential_card_asks_for_the_documented_fields_and_connects_with_the_sandboxs_test_values(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    for connector in TYPED {
        let c = app.state.catalog.get(connector).unwrap();
        let message_id = ask_for(&app, &owner, connector).await;
        let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
        assert!(!chat.contains("Not supported yet"), "{connector}'s card still says it is not supported");
        for credential in &c.auth.credentials {
            assert!(
                chat.contains(&format!("name=\"cred.{}\"", credential.name)),
                "{connector} lacks {}",
                credential.name
            );
            let help =
                credential.help.as_deref().unwrap_or_else(|| panic!("{connector}.{} has no help", credential.name));
            let plain: String = help.chars().take_while(|ch| !"&<>\"'".contains(*ch)).collect();
            assert!(
                plain.len() > 10 && chat.contains(&plain),
                "{connector}'s card does not say where to find its {}",
                credential.label
            );
        }
        assert!(chat.contains(&format!("/sandbox/console/{connector}")), "no link to the sandbox's test values");
        let console = text(reqwest::get(app.url(&format!("/sandbox/console/{connector}"))).await.unwrap(), 200).await;
        assert!(console.contains(&c.auth.credentials[0].label), "the console lists the fields");

        let resp = submit(&app, &owner, connector, message_id, &test_form(&app, connector)).await;
        assert_eq!(resp.status(), 303);
        assert_eq!(location(&resp), format!("/apps/1/chat#card-{message_id}-{connector}"));
        let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
        assert!(
            chat.contains(&format!("Connected {} as", c.name)),
            "{connector}: {}",
            &chat[chat.len().saturating_sub(3000)..]
        );
        let row = app.store.shared_connection(TODO_APP, connector).await.unwrap().expect("a stored connection");
        assert_eq!(row.status, "connected");
        let config = row.config().unwrap();
        for credential in c.auth.credentials.iter().filter(|cr| !cr.secret && cr.sandbox.is_some()) {
            assert!(config.contains_key(&credential.name), "{connector} keeps its {} in config", credential.name);
        }
        let secret = c.auth.secret_credential().unwrap().sandbox.clone().unwrap();
        let sealed = row.sealed_tokens.clone().unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains(&secret), "{connector}'s secret is stored in plain text");
        assert!(!config.values().any(|v| v.as_str() == Some(secret.as_str())), "the secret is not configuration");
    }
    let audit = app.store.audit_of_app(TODO_APP, 50).await.unwrap();
    assert!(audit.iter().filter(|e| e.action == "connect").count() >= TYPED.len(), "each connect is audited");
}

async fn wrong_credentials_are_refused_in_words_and_nothing_is_stored(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    for connector in TYPED {
        let name = app.state.catalog.get(connector).unwrap().name.clone();
        let message_id = ask_for(&app, &owner, connector).await;
        let resp = submit(&app, &owner, connector, message_id, &with_wrong_secret(&app, connector)).await;
        assert_eq!(resp.status(), 303);
        let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
        assert!(
            chat.contains(&format!("{name} did not accept this")),
            "{connector}: no refusal in words: {}",
            &chat[chat.len().saturating_sub(3000)..]
        );
        assert!(chat.contains("Nothing was stored."));
        assert!(
            app.store.shared_connection(TODO_APP, connector).await.unwrap().is_none(),
            "{connector} stored something"
        );
    }
    // A host value that could send the key elsewhere is refused before any call.
    let message_id = ask_for(&app, &owner, "freshdesk").await;
    let mut fields = test_form(&app, "freshdesk");
    for (k, v) in fields.iter_mut() {
        if k == "cred.domain" {
            *v = "evil.test/x".into();
        }
    }
    submit(&app, &owner, "freshdesk", message_id, &fields).await;
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("must be the first part of its address"), "the domain is refused in words");
    assert!(app.store.shared_connection(TODO_APP, "freshdesk").await.unwrap().is_none());
}

async fn actions_run_with_the_stored_credentials_in_each_providers_style(app: TestApp) {
    let key = app_key(&app).await;
    super::connect_with_test_values(&app, "twilio").await;
    let inputs = json!({"to": "+14155550100", "from": "+14155550199", "body": "Your order is ready"});
    let (status, answer) = run(&app, &key, "twilio.send_sms", inputs).await;
    assert_eq!((status, &answer["ok"]), (200, &json!(true)), "{answer}");
    assert!(answer["output"]["sid"].as_str().is_some_and(|s| s.starts_with("SM")), "{answer}");
    let last = &outbox(&app).await[0];
    assert_eq!(last["connector"], "twilio");
    assert_eq!(last["path"], "/2010-04-01/Accounts/AC5a4db0c1e6f24d0b8a0e1c2d3f4a5b6c/Messages.json");
    assert!(last["summary"].as_str().unwrap().contains("+14155550100"), "{last}");

    super::connect_with_test_values(&app, "telegram").await;
    let (status, answer) =
        run(&app, &key, "telegram.post_message", json!({"channel": "@team", "text": "Deployed"})).await;
    assert_eq!((status, &answer["ok"]), (200, &json!(true)), "{answer}");
    let last = &outbox(&app).await[0];
    assert_eq!(last["path"], "/sendMessage", "the bot token stays out of the outbox: {last}");

    super::connect_with_test_values(&app, "snowflake").await;
    let (status, answer) = run(&app, &key, "snowflake.run_query", json!({"query": "SELECT 1"})).await;
    assert_eq!((status, &answer["ok"]), (200, &json!(true)), "a key-pair JWT is accepted: {answer}");

    // The token handout gives the secret to app keys only, with the configuration.
    let handout = get_json(&app.url("/api/v1/apps/1/connections/twilio?include=token"), &key).await;
    assert_eq!(handout["access_token"], "sandbox-twilio-auth-token");
    assert_eq!(handout["config"]["account_sid"], "AC5a4db0c1e6f24d0b8a0e1c2d3f4a5b6c");
}

async fn the_secret_never_shows_on_a_page_or_in_an_answer_without_include_token(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let key = app_key(&app).await;
    let mut secrets = Vec::new();
    for connector in TYPED {
        super::connect_with_test_values(&app, connector).await;
        let c = app.state.catalog.get(connector).unwrap();
        secrets.push(c.auth.secret_credential().unwrap().sandbox.clone().unwrap());
    }
    let integrations = text(owner.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(integrations.contains("Replace credentials"));
    assert!(integrations.contains("Try an action"));
    let listed = get_json(&app.url("/api/v1/apps/1/connections"), &key).await.to_string();
    let one = get_json(&app.url("/api/v1/apps/1/connections/wix"), &key).await.to_string();
    let by_person = owner.get(app.url("/api/v1/apps/1/connections/wix?include=token")).send().await.unwrap();
    assert_eq!(by_person.status(), 403, "a person never gets the secret");
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    for secret in &secrets {
        let first_line = secret.lines().nth(1).unwrap_or(secret);
        for (what, body) in
            [("My integrations", &integrations), ("connections", &listed), ("one", &one), ("chat", &chat)]
        {
            assert!(!body.contains(first_line), "{what} shows a secret");
        }
    }
}

/// Browse names what each connector connects with; none waits for support any more.
async fn browse_says_not_supported_yet_for_no_connector(app: TestApp) {
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/integrations/browse")).send().await.unwrap(), 200).await;
    assert_eq!(page.matches("not supported yet").count(), 0, "every connector can be connected");
    assert!(page.contains("Connects with an API key or token, tried with Twilio before it is saved"));
}

on_both_servers!(
    defaults;
    browse_says_not_supported_yet_for_no_connector,
    each_credential_card_asks_for_the_documented_fields_and_connects_with_the_sandboxs_test_values,
    wrong_credentials_are_refused_in_words_and_nothing_is_stored,
    actions_run_with_the_stored_credentials_in_each_providers_style,
    the_secret_never_shows_on_a_page_or_in_an_answer_without_include_token,
);

#[tokio::test]
async fn an_owners_block_refuses_new_credentials_before_the_provider_is_asked() {
    let app = TestApp::spawn().await;
    app.store.set_connector_policy(TODO_APP, "telegram", false, true, None).await.unwrap();
    let form: std::collections::HashMap<String, String> = test_form(&app, "telegram").into_iter().collect();
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap();
    let telegram = app.state.catalog.get("telegram").unwrap();
    let refused = patchbay::credentials::connect(&app.state.oauth, TODO_APP, ada.id, telegram, &form).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(message, "The app's owner has blocked Telegram for shared connections.");
    assert!(app.store.shared_connection(TODO_APP, "telegram").await.unwrap().is_none());
    assert!(outbox(&app).await.is_empty(), "no test call reached the provider");
}
