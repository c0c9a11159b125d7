//! App keys: made on the Settings page (shown once), they open the App API for their own
//! app only; a missing, malformed or revoked key is a 401 and another app's id a 404.

use crate::helpers::{OWNER, TODO_APP, TestApp, production, text};
use crate::identity::shown_once;
use serde_json::json;

async fn create_key(app: &TestApp, owner: &reqwest::Client, name: &str) -> String {
    let page = owner.post(app.url("/apps/1/settings/keys")).form(&[("name", name)]).send().await.unwrap();
    let key = shown_once(&text(page, 200).await);
    assert!(key.starts_with("pbk_") && key.len() == 68, "{key}");
    key
}

#[tokio::test]
async fn a_key_opens_only_its_own_app_until_it_is_revoked() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let key = create_key(&app, &owner, "Backend").await;
    let ada = app.store.list_users().await.unwrap()[0].clone();
    let other = app.store.create_app("Other", "{}", "UTC", ada.id).await.unwrap();
    let api = reqwest::Client::new();
    let put = |app_id: i64, key: Option<&str>| {
        let mut req = api.put(app.url(&format!("/api/v1/apps/{app_id}/structure"))).json(&json!({
            "entities": [{"name": "Deal", "fields": ["title", {"name": "amount", "type": "number"}]}],
            "time_zone": "Europe/Paris"
        }));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send()
    };
    let ok = put(TODO_APP, Some(&key)).await.unwrap();
    assert_eq!(ok.status(), 200);
    let stored: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(stored["time_zone"], "Europe/Paris");
    assert_eq!(stored["entities"][0]["name"], "Deal");

    assert_eq!(put(other.id, Some(&key)).await.unwrap().status(), 404, "another app's id is not found");
    assert_eq!(put(TODO_APP, None).await.unwrap().status(), 401);
    assert_eq!(put(TODO_APP, Some("pbk_not-a-key")).await.unwrap().status(), 401);

    let settings = text(owner.get(app.url("/apps/1/settings")).send().await.unwrap(), 200).await;
    assert!(!settings.contains(&key), "the key is never shown again");
    let audit = app.store.audit_of_app(TODO_APP, 50).await.unwrap();
    let uses: Vec<_> = audit.iter().filter(|a| a.action == "api.call").collect();
    assert!(!uses.is_empty() && uses.iter().all(|a| !a.detail.clone().unwrap_or_default().contains(&key)));

    let id = app.store.app_keys(TODO_APP).await.unwrap()[0].id;
    owner.post(app.url(&format!("/apps/1/settings/keys/{id}/revoke"))).send().await.unwrap();
    assert_eq!(put(TODO_APP, Some(&key)).await.unwrap().status(), 401, "a revoked key opens nothing");
}

#[tokio::test]
async fn a_wrong_structure_is_refused_with_every_problem_named() {
    let app = TestApp::spawn().await;
    let owner = app.signed_in(OWNER).await;
    let key = create_key(&app, &owner, "Backend").await;
    let resp = reqwest::Client::new()
        .put(app.url("/api/v1/apps/1/structure"))
        .bearer_auth(&key)
        .json(&json!({"entities": [{"name": "Deal", "fields": ["a", "A"]}], "time_zone": "Nowhere/Land"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let error = resp.json::<serde_json::Value>().await.unwrap()["error"].as_str().unwrap().to_owned();
    assert!(error.contains("app.entities[0].fields[1].name") && error.contains("app.time_zone"), "{error}");
}

#[tokio::test]
async fn in_production_even_the_router_needs_a_key() {
    let app = TestApp::spawn_with(production).await;
    let body = json!({"prompt": "post new deals to Slack"});
    let anonymous = reqwest::Client::new().post(app.url("/api/v1/route")).json(&body).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let ada = app.store.create_user("ops@example.com", "Ops").await.unwrap();
    let mine = app.store.create_app("Mine", "{}", "UTC", ada.id).await.unwrap();
    let key = patchbay::identity::keys::create(&app.store, mine.id, "ci", None).await.unwrap().secret;
    let keyed =
        reqwest::Client::new().post(app.url("/api/v1/route")).bearer_auth(key).json(&body).send().await.unwrap();
    assert_eq!(keyed.status(), 200);
}

#[tokio::test]
async fn a_key_made_on_the_command_line_works_and_is_printed_once() {
    let app = TestApp::spawn().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(["apps", "keys", "create", "--app", "1", "--name", "From CLI", "--data-dir"])
        .arg(app.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let resp = reqwest::Client::new().get(app.url("/api/v1/apps/1/structure")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let listed = std::process::Command::new(env!("CARGO_BIN_EXE_patchbay"))
        .args(["apps", "keys", "list", "--app", "1", "--data-dir"])
        .arg(app.dir.path())
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("From CLI") && !listed.contains(&key));
}
