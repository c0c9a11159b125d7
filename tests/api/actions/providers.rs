//! The eight most used bindings against stubs of their providers: each stub accepts only
//! the request the provider documents (method, path, query, headers, body) and answers
//! with the documented response, whose fields must come back as the action's output.

use super::fixture::{all_scopes, app_key, connect, run};
use crate::helpers::{TODO_APP, TestApp};
use base64::Engine;
use patchbay::connections::TokenSet;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// The app with `connector`'s API at `base` (the stub), connected through the sandbox;
/// its app key and the connection's access token.
async fn stubbed(connector: &str, base: String) -> (TestApp, String, String) {
    let app = TestApp::spawn_with(|s| {
        let c = s.connectors.entry(connector.into()).or_default();
        c.api_base_url = Some(base);
        c.allow_insecure_endpoints = true;
    })
    .await;
    let row = connect(&app, connector, &all_scopes(&app, connector)).await;
    let tokens = TokenSet::open(row.sealed_tokens.as_deref().unwrap(), &app.state.cipher, TODO_APP, connector).unwrap();
    let key = app_key(&app).await;
    (app, key, tokens.access_token)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn gmail_send_posts_a_base64url_rfc_2822_message_to_messages_send() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("gmail", stub.uri()).await;
    Mock::given(method("POST"))
        .and(path("/gmail/v1/users/me/messages/send"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(header("content-type", "application/json"))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let raw = body["raw"].as_str().unwrap_or_default();
            let decoded = base64::engine::general_purpose::URL_SAFE.decode(raw).unwrap_or_default();
            let message = String::from_utf8(decoded).unwrap_or_default();
            body.as_object().is_some_and(|o| o.len() == 1)
                && message.starts_with("To: ada@example.com\r\nCc: bo@example.com\r\nSubject: Open tasks\r\n")
                && message.contains("\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n")
                && message.contains(&base64::engine::general_purpose::STANDARD.encode("Two are open."))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "18c6c5a0d8f2e1b7", "threadId": "18c6c5a0d8f2e1b7", "labelIds": ["SENT"]
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let inputs =
        json!({"to": "ada@example.com", "cc": "bo@example.com", "subject": "Open tasks", "body": "Two are open."});
    let (status, answer) = run(&app, &key, "gmail.send_email", inputs).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"ok": true, "output": {"id": "18c6c5a0d8f2e1b7", "thread_id": "18c6c5a0d8f2e1b7"}, "provider_status": 200})
    );
}

#[tokio::test]
async fn slack_post_sends_chat_post_message_and_an_ok_false_answer_is_a_failure() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("slack", format!("{}/api", stub.uri())).await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(body_json(json!({"channel": "C024BE91L", "text": "New deal: Acme"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "channel": "C024BE91L", "ts": "1503435956.000247",
            "message": {"text": "New deal: Acme", "ts": "1503435956.000247", "type": "message"}
        })))
        .expect(1)
        .mount(&stub)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(body_json(json!({"channel": "C000", "text": "lost"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "channel_not_found"})))
        .mount(&stub)
        .await;
    let (_, answer) =
        run(&app, &key, "slack.post_message", json!({"channel": "C024BE91L", "text": "New deal: Acme"})).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["output"], json!({"ts": "1503435956.000247", "channel": "C024BE91L"}));
    let (status, failed) = run(&app, &key, "slack.post_message", json!({"channel": "C000", "text": "lost"})).await;
    assert_eq!(status, 200);
    assert_eq!(failed, json!({"ok": false, "output": {}, "provider_status": 200, "error": "channel_not_found"}));
}

#[tokio::test]
async fn sheets_add_row_appends_values_with_user_entered_input() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("google_sheets", stub.uri()).await;
    Mock::given(method("POST"))
        .and(path("/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/%27Tasks%27%21A1:append"))
        .and(query_param("valueInputOption", "USER_ENTERED"))
        .and(query_param("insertDataOption", "INSERT_ROWS"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(body_json(json!({"majorDimension": "ROWS", "values": [["Write report", "Ada", 3]]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "spreadsheetId": "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms",
            "tableRange": "Tasks!A1:C4",
            "updates": {"spreadsheetId": "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", "updatedRange": "Tasks!A5:C5",
                        "updatedRows": 1, "updatedColumns": 3, "updatedCells": 3}
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let url = "https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit#gid=0";
    let inputs = json!({"spreadsheet": url, "sheet": "Tasks", "values": ["Write report", "Ada", 3]});
    let (_, answer) = run(&app, &key, "google_sheets.add_row", inputs).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["output"], json!({"updated_range": "Tasks!A5:C5", "updated_rows": 1}));
}

#[tokio::test]
async fn calendar_create_event_inserts_an_event_with_attendees_and_a_meet_request() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("google_calendar", format!("{}/calendar/v3", stub.uri())).await;
    Mock::given(method("POST"))
        .and(path("/calendar/v3/calendars/primary/events"))
        .and(query_param("conferenceDataVersion", "1"))
        .and(query_param("sendUpdates", "all"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(|req: &Request| {
            let mut body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let request_id = body.pointer_mut("/conferenceData/createRequest/requestId").map(Value::take);
            request_id.is_some_and(|id| id.as_str().is_some_and(|s| !s.is_empty()))
                && body
                    == json!({
                        "summary": "Kick-off",
                        "start": {"dateTime": "2026-05-04T09:00:00+02:00"},
                        "end": {"dateTime": "2026-05-04T10:00:00+02:00"},
                        "attendees": [{"email": "bo@example.com"}, {"email": "cy@example.com"}],
                        "conferenceData": {"createRequest": {"requestId": null, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
                    })
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "calendar#event", "id": "7cbh8rpc10lrc0ckih9tafss99", "status": "confirmed",
            "htmlLink": "https://www.google.com/calendar/event?eid=N2NiaDhycGMxMGxyYzBja2loOXRhZnNzOTk",
            "hangoutLink": "https://meet.google.com/abc-defg-hij", "summary": "Kick-off"
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let inputs = json!({"title": "Kick-off", "start": "2026-05-04T09:00:00+02:00", "end": "2026-05-04T10:00:00+02:00",
                        "attendees": "bo@example.com, cy@example.com", "add_meet_link": true});
    let (_, answer) = run(&app, &key, "google_calendar.create_event", inputs).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["output"]["meet_link"], "https://meet.google.com/abc-defg-hij");
    assert_eq!(answer["output"]["event_id"], "7cbh8rpc10lrc0ckih9tafss99");
}

#[tokio::test]
async fn github_create_issue_posts_to_the_repositorys_issues_with_the_api_version() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("github", stub.uri()).await;
    Mock::given(method("POST"))
        .and(path("/repos/octocat/hello-world/issues"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(header("accept", "application/vnd.github+json"))
        .and(header("x-github-api-version", "2022-11-28"))
        .and(body_json(json!({"title": "Found a bug", "body": "It breaks on Mondays.", "labels": ["bug"], "assignees": ["octocat"]})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 1, "number": 1347, "state": "open", "title": "Found a bug",
            "html_url": "https://github.com/octocat/hello-world/issues/1347"
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let inputs = json!({"repository": "octocat/hello-world", "title": "Found a bug", "body": "It breaks on Mondays.",
                        "labels": "bug", "assignee": "octocat"});
    let (_, answer) = run(&app, &key, "github.create_issue", inputs).await;
    assert_eq!(answer["provider_status"], 201, "{answer}");
    assert_eq!(
        answer["output"],
        json!({"number": 1347, "url": "https://github.com/octocat/hello-world/issues/1347", "id": 1})
    );
}

#[tokio::test]
async fn hubspot_create_contact_upserts_by_email() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("hubspot", stub.uri()).await;
    Mock::given(method("POST"))
        .and(path("/crm/v3/objects/contacts/batch/upsert"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(body_json(json!({"inputs": [{"idProperty": "email", "id": "ada@example.com",
            "properties": {"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace"}}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "COMPLETE",
            "results": [{"id": "512", "new": true, "archived": false,
                         "properties": {"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace"},
                         "createdAt": "2026-05-01T09:00:00Z", "updatedAt": "2026-05-01T09:00:00Z"}],
            "startedAt": "2026-05-01T09:00:00Z", "completedAt": "2026-05-01T09:00:01Z"
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let inputs = json!({"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"});
    let (_, answer) = run(&app, &key, "hubspot.create_contact", inputs).await;
    assert_eq!(answer["output"], json!({"contact_id": "512", "new": true}), "{answer}");
}

#[tokio::test]
async fn notion_create_page_names_the_api_version_and_builds_title_and_paragraph() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("notion", stub.uri()).await;
    Mock::given(method("POST"))
        .and(path("/v1/pages"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(header("notion-version", "2022-06-28"))
        .and(body_json(json!({
            "parent": {"page_id": "59833787-2cf9-4fdf-8782-e53db20768a5"},
            "properties": {"title": {"title": [{"text": {"content": "Launch plan"}}]}},
            "children": [{"object": "block", "type": "paragraph",
                          "paragraph": {"rich_text": [{"type": "text", "text": {"content": "Ship on Monday."}}]}}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "page", "id": "be633bf1-dfa0-436d-b259-571129a590e5",
            "url": "https://www.notion.so/Launch-plan-be633bf1dfa0436db259571129a590e5"
        })))
        .expect(1)
        .mount(&stub)
        .await;
    let inputs =
        json!({"parent": "59833787-2cf9-4fdf-8782-e53db20768a5", "title": "Launch plan", "body": "Ship on Monday."});
    let (_, answer) = run(&app, &key, "notion.create_page", inputs).await;
    assert_eq!(answer["output"]["page_id"], "be633bf1-dfa0-436d-b259-571129a590e5", "{answer}");
}

#[tokio::test]
async fn outlook_send_posts_send_mail_and_takes_202_as_sent() {
    let stub = MockServer::start().await;
    let (app, key, token) = stubbed("outlook", format!("{}/v1.0", stub.uri())).await;
    Mock::given(method("POST"))
        .and(path("/v1.0/me/sendMail"))
        .and(header("authorization", bearer(&token).as_str()))
        .and(body_json(json!({
            "message": {"subject": "Open tasks", "body": {"contentType": "Text", "content": "Two are open."},
                        "toRecipients": [{"emailAddress": {"address": "ada@example.com"}}]},
            "saveToSentItems": true
        })))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&stub)
        .await;
    let inputs = json!({"to": "ada@example.com", "subject": "Open tasks", "body": "Two are open."});
    let (_, answer) = run(&app, &key, "outlook.send_email", inputs).await;
    assert_eq!(answer, json!({"ok": true, "output": {}, "provider_status": 202}));
}
