//! The builder's pages over HTTP: statuses, the key content, escaping, role refusals.

use crate::helpers::{APP_USER, EDITOR, OWNER, TODO_APP, TestApp, location, text};

#[tokio::test]
async fn healthz_reports_the_version_and_a_reachable_database() {
    let app = TestApp::spawn().await;
    let body: serde_json::Value = reqwest::get(app.url("/healthz")).await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"]["reachable"], true);
    assert_eq!(body["connectors"], patchbay::catalog::KNOWN_IDS.len());
}

#[tokio::test]
async fn pages_ask_for_sign_in_first() {
    let app = TestApp::spawn().await;
    let resp = TestApp::client().get(app.url("/apps/1/chat")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/login?next=%2Fapps%2F1%2Fchat");
    let login = text(TestApp::client().get(app.url("/login")).send().await.unwrap(), 200).await;
    assert!(login.contains("Ada Owner") && login.contains("Owner of Todo"));
}

#[tokio::test]
async fn the_homepage_keeps_the_prompt_while_chips_are_picked_and_removed() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/?prompt=A+CRM&chips=gmail&add_chip=slack")).send().await.unwrap(), 200).await;
    assert!(page.contains(">A CRM</textarea>"), "the prompt is kept");
    assert!(page.contains(r#"class="chip" data-id="gmail""#) && page.contains(r#"class="chip" data-id="slack""#));
    assert!(page.contains(r#"value="gmail,slack""#));
    let page =
        text(owner.get(app.url("/?prompt=A+CRM&chips=gmail,slack&remove_chip=gmail")).send().await.unwrap(), 200).await;
    assert!(!page.contains(r#"class="chip" data-id="gmail""#) && page.contains(r#"class="chip" data-id="slack""#));
    let page = text(owner.get(app.url("/?q=hub&picker=1")).send().await.unwrap(), 200).await;
    assert!(page.contains("HubSpot") && !page.contains(">Gmail<"), "the picker searches");
}

#[tokio::test]
async fn creating_an_app_opens_its_chat_with_cards_for_the_chips() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let resp = owner
        .post(app.url("/apps"))
        .form(&[("prompt", "A to-do app that emails me my tasks every morning"), ("chips", "gmail,slack")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let chat_url = location(&resp);
    assert!(chat_url.ends_with("/chat"), "{chat_url}");
    let chat = text(owner.get(app.url(&chat_url)).send().await.unwrap(), 200).await;
    assert!(chat.contains("A to-do app that emails me my tasks every morning"));
    for expected in [
        "<h2>Gmail</h2>",
        "<h2>Slack</h2>",
        "Action required",
        "Required permissions",
        "Send email on your behalf",
        "Connect to Gmail",
        "Shared connector",
        "App user connector",
    ] {
        assert!(chat.contains(expected), "missing {expected}");
    }
}

#[tokio::test]
async fn an_empty_or_overlong_description_is_refused_inline_and_kept() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page =
        text(owner.post(app.url("/apps")).form(&[("prompt", "   "), ("chips", "gmail")]).send().await.unwrap(), 422)
            .await;
    assert!(page.contains("Describe the app you want to build first."));
    assert!(page.contains(r#"data-id="gmail""#), "the chips are kept");
    let long = "x".repeat(4001);
    let page = text(owner.post(app.url("/apps")).form(&[("prompt", long.as_str())]).send().await.unwrap(), 422).await;
    assert!(page.contains("the limit is 4000") && page.contains(&long));
}

#[tokio::test]
async fn a_chat_message_gets_an_answer_and_one_card_per_connector() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    crate::oauth::ask_for_gmail(&app, &owner).await;
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert_eq!(chat.matches(r#"class="card card-ask""#).count(), 1);
    assert!(chat.contains("Send you an email every day at 08:00 with your to-do list."));
    assert!(chat.contains("Send email on your behalf") && chat.contains("https://www.googleapis.com/auth/gmail.send"));
    assert!(!chat.contains("gmail.readonly"), "only the scopes the request needs");
}

#[tokio::test]
async fn the_script_gets_just_the_new_messages() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let resp = owner
        .post(app.url("/apps/1/chat"))
        .header("x-requested-with", "fetch")
        .form(&[("message", "make the header sticky")])
        .send()
        .await
        .unwrap();
    let fragment = text(resp, 200).await;
    assert!(fragment.starts_with("\n<li") || fragment.trim_start().starts_with("<li"), "a fragment, not a page");
    assert!(fragment.contains("no outside tool is needed") && !fragment.contains("class=\"card"));
}

#[tokio::test]
async fn a_prompt_with_markup_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    owner
        .post(app.url("/apps/1/chat"))
        .form(&[("message", "<script>alert(1)</script> email me")])
        .send()
        .await
        .unwrap();
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(!chat.contains("<script>alert(1)</script>"));
    assert!(
        chat.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || chat.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

#[tokio::test]
async fn an_empty_or_overlong_message_is_shown_inline_and_nothing_is_lost() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.post(app.url("/apps/1/chat")).form(&[("message", "")]).send().await.unwrap(), 422).await;
    assert!(page.contains("Write a message first."));
    let long = format!("email me {}", "very ".repeat(900));
    let page =
        text(owner.post(app.url("/apps/1/chat")).form(&[("message", long.as_str())]).send().await.unwrap(), 422).await;
    assert!(page.contains("the limit is 4000"));
    assert!(page.contains(long.trim()), "the draft stays in the input");
    assert!(app.store.messages_of_app(TODO_APP).await.unwrap().is_empty(), "nothing stored");
}

#[tokio::test]
async fn skip_records_the_decision_and_the_card_can_come_back() {
    let app = TestApp::spawn().await;
    let editor = app.signed_in(EDITOR).await;
    editor.post(app.url("/apps/1/chat")).form(&[("message", "post new tasks to #team in Slack")]).send().await.unwrap();
    let answer = app.store.messages_of_app(TODO_APP).await.unwrap().pop().unwrap();
    let skip = editor.post(app.url(&format!("/apps/1/cards/{}/slack/skip", answer.id))).send().await.unwrap();
    assert_eq!(skip.status(), 303);
    let chat = text(editor.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Slack was not added."));
    assert!(!chat.contains("Connect to Slack"));
    editor.post(app.url(&format!("/apps/1/cards/{}/slack/restore", answer.id))).send().await.unwrap();
    let chat = text(editor.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Connect to Slack") && !chat.contains("Slack was not added."));
    let missing = editor.post(app.url(&format!("/apps/1/cards/{}/gmail/skip", answer.id))).send().await.unwrap();
    assert_eq!(missing.status(), 404, "no such card");
}

#[tokio::test]
async fn a_tool_asked_for_again_keeps_one_live_card_and_the_older_points_to_it() {
    let app = TestApp::spawn().await;
    let editor = app.signed_in(EDITOR).await;
    for message in ["post new tasks to #team in Slack", "post the weekly report to #leads in Slack"] {
        editor.post(app.url("/apps/1/chat")).form(&[("message", message)]).send().await.unwrap();
    }
    let answers: Vec<i64> = app
        .store
        .messages_of_app(TODO_APP)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.role == "assistant")
        .map(|m| m.id)
        .collect();
    let (older, newer) = (answers[0], answers[1]);
    let chat = text(editor.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert_eq!(chat.matches(r#"class="card card-ask""#).count(), 1, "one live card");
    assert_eq!(chat.matches(r#"class="card card-again""#).count(), 1);
    assert!(chat.contains(&format!(r##"id="card-{older}-slack""##)), "the older card keeps its place");
    assert!(chat.contains(&format!(r##"href="#card-{newer}-slack""##)), "and points to the latest");
    // Once the latest is skipped, the older one is the card to act on again.
    editor.post(app.url(&format!("/apps/1/cards/{newer}/slack/skip"))).send().await.unwrap();
    let chat = text(editor.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert_eq!(chat.matches(r#"class="card card-ask""#).count(), 1);
    assert!(!chat.contains(r#"class="card card-again""#));
}

#[tokio::test]
async fn app_users_cannot_connect_chat_or_decide() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    owner.post(app.url("/apps/1/chat")).form(&[("message", "email me daily with Gmail")]).send().await.unwrap();
    let answer = app.store.messages_of_app(TODO_APP).await.unwrap().pop().unwrap();
    let user = app.signed_in(APP_USER).await;
    let connect = user
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "gmail"), ("message_id", &answer.id.to_string())])
        .send()
        .await
        .unwrap();
    let page = text(connect, 403).await;
    assert!(page.contains("Only editors of this app can connect tools"));
    assert_eq!(user.get(app.url("/apps/1/chat")).send().await.unwrap().status(), 403);
    assert_eq!(
        user.post(app.url(&format!("/apps/1/cards/{}/gmail/skip", answer.id))).send().await.unwrap().status(),
        403
    );
    assert_eq!(user.get(app.url("/apps/1/integrations/browse")).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn unknown_apps_and_pages_are_404_pages() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/999/chat")).send().await.unwrap(), 404).await;
    assert!(page.contains("Not found") && page.contains("<html"));
    text(owner.get(app.url("/no/such/page")).send().await.unwrap(), 404).await;
}

#[tokio::test]
async fn opening_a_form_address_in_the_browser_gets_a_page_that_says_what_to_do() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/connect")).send().await.unwrap(), 405).await;
    assert!(page.contains("<html") && page.contains("use the button on the page"), "{page}");
}

#[tokio::test]
async fn browse_groups_the_catalog_and_use_opens_the_chat_with_the_prompt() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let page = text(owner.get(app.url("/apps/1/integrations/browse")).send().await.unwrap(), 200).await;
    assert!(page.contains(&format!("{} connectors", patchbay::catalog::KNOWN_IDS.len())));
    for heading in ["<h2>Email</h2>", "<h2>CRM</h2>", "<h2>Payments</h2>"] {
        assert!(page.contains(heading), "{heading}");
    }
    assert!(page.contains("Task"), "examples are filled in with the app's entities");
    let search = text(owner.get(app.url("/apps/1/integrations/browse?q=hubspot")).send().await.unwrap(), 200).await;
    assert!(search.contains("1 connectors") && search.contains("<h3>HubSpot</h3>"));
    let href = search
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("/chat?prompt="))
        .unwrap()
        .replace("&amp;", "&");
    let chat = text(owner.get(app.url(&href)).send().await.unwrap(), 200).await;
    assert!(chat.contains("HubSpot</textarea>") || chat.contains("HubSpot"), "the prompt is in the input");
}

#[tokio::test]
async fn an_empty_chat_suggests_prompts_with_the_apps_entities() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Suggested prompts") && chat.contains("Task"));
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let resp = owner
        .post(app.url("/apps/1/chat"))
        .header("origin", "https://evil.example")
        .form(&[("message", "email me")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn a_credential_connector_asks_for_its_credentials_on_the_card_and_refuses_a_sign_in() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    owner
        .post(app.url("/apps/1/chat"))
        .form(&[("message", "Text me with Twilio when a task is overdue")])
        .send()
        .await
        .unwrap();
    let chat = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(
        chat.contains("Connect to Twilio") && chat.contains("name=\"cred.auth_token\""),
        "Twilio asks for its credentials instead"
    );
    let answer = app.store.messages_of_app(TODO_APP).await.unwrap().pop().unwrap();
    let resp = owner
        .post(app.url("/apps/1/connect"))
        .form(&[("connector", "twilio"), ("message_id", &answer.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "a forced sign-in is refused with a message, not a crash");
    assert!(
        text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200)
            .await
            .contains("Twilio connects with credentials, not a sign-in: type them on its card.")
    );
}

#[tokio::test]
async fn a_long_chat_shows_its_latest_turns_with_a_link_to_earlier_ones() {
    let app = TestApp::spawn().await;
    let ada = app.store.list_users().await.unwrap()[0].id;
    for i in 0..60 {
        let body = format!("note number {i:02}");
        let m = patchbay::store::NewMessage {
            app_id: 1,
            author_id: Some(ada),
            role: "builder",
            body: &body,
            payload: None,
        };
        app.store.add_message(m).await.unwrap();
    }
    let owner = app.signed_in(OWNER).await;
    let latest = text(owner.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(latest.contains("note number 59") && !latest.contains("note number 05"));
    let at = latest.find("/apps/1/chat?before=").expect("a link to earlier messages");
    let href = latest[at..].split('"').next().unwrap().to_owned();
    let earlier = text(owner.get(app.url(&href)).send().await.unwrap(), 200).await;
    assert!(earlier.contains("note number 05") && !earlier.contains("note number 59"));
    assert!(earlier.contains("Back to the latest messages"));
}

/// The chat keeps its drawing of the conversation while nothing changed: a change made
/// on another server that shares the database still shows on the next load.
#[tokio::test]
async fn the_chat_shows_a_change_made_on_another_server_at_once() {
    let app = TestApp::spawn().await;
    let other = TestApp::spawn_in(app.dir.clone(), |_| {}).await;
    let editor = app.signed_in(EDITOR).await;
    editor.post(app.url("/apps/1/chat")).form(&[("message", "post new tasks to #team in Slack")]).send().await.unwrap();
    let answer = app.store.messages_of_app(TODO_APP).await.unwrap().pop().unwrap();
    for _ in 0..2 {
        let chat = text(editor.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
        assert!(chat.contains("Connect to Slack"));
    }
    let elsewhere = other.signed_in(EDITOR).await;
    let skip = elsewhere.post(other.url(&format!("/apps/1/cards/{}/slack/skip", answer.id))).send().await.unwrap();
    assert_eq!(skip.status(), 303);
    let chat = text(editor.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
    assert!(chat.contains("Slack was not added.") && !chat.contains("Connect to Slack"));
}

/// Every card's form carries the viewer's own form token, also when another person
/// opened the same conversation just before.
#[tokio::test]
async fn each_person_gets_the_chat_with_forms_of_their_own_session() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let editor = app.signed_in(EDITOR).await;
    editor.post(app.url("/apps/1/chat")).form(&[("message", "post new tasks to #team in Slack")]).send().await.unwrap();
    let tokens = async |who: &reqwest::Client| {
        let page = text(who.get(app.url("/apps/1/chat")).send().await.unwrap(), 200).await;
        let mut found: Vec<String> = page
            .split(r#"name="csrf" value=""#)
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect();
        found.dedup();
        found
    };
    let (of_owner, of_editor) = (tokens(&owner).await, tokens(&editor).await);
    assert_eq!((of_owner.len(), of_editor.len()), (1, 1), "one token per page, on the composer and every card");
    assert_ne!(of_owner, of_editor);
}

/// The Content-Security-Policy allows no inline style or script: a template that carried
/// one would render broken in a browser, so none may.
#[test]
fn no_template_carries_inline_style_or_script() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let handler_attr = regex::Regex::new(r#"\son[a-z]+=""#).unwrap();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let html = std::fs::read_to_string(&path).unwrap();
            let inline_script =
                html.match_indices("<script").any(|(i, _)| !html[i..].split('>').next().unwrap().contains("src="));
            let handler = handler_attr.is_match(&html);
            assert!(
                !html.contains("<style") && !html.contains(" style=") && !inline_script && !handler,
                "{} has inline style or script",
                path.display()
            );
        }
    }
}
