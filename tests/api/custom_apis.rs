//! Custom APIs: an editor imports an OpenAPI document of an API this test serves, chooses
//! operations and gives the secret; the operations then run through the action API, the
//! proxy and a flow, each call arriving at that API with the secret where the document
//! says, and nowhere else. Every check runs on SQLite and on PostgreSQL.

use crate::actions::fixture::app_key;
use crate::helpers::{OWNER, TODO_APP, TestApp, location, text};
use fantoccini::Locator;
use patchbay::store::now;
use patchbay::wiring::{self, FlowDefinition};
use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "pk_live_custom_7f3a9c";

/// A small pet shop API, as its provider would document it, served by `base`.
fn pet_shop(base: &str) -> String {
    format!(
        r##"openapi: 3.0.3
info:
  title: Pet Shop
  version: "1.0"
servers:
  - url: {base}/v1
components:
  securitySchemes:
    shopKey:
      type: apiKey
      in: header
      name: X-Shop-Key
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {{type: string, description: The pet's name}}
        tag: {{type: string}}
        age: {{type: integer}}
security:
  - shopKey: []
paths:
  /pets:
    get:
      operationId: listPets
      summary: List the pets
      parameters:
        - {{name: limit, in: query, schema: {{type: integer}}}}
      responses: {{"200": {{description: the pets}}}}
    post:
      operationId: createPet
      summary: Add a pet
      requestBody:
        required: true
        content:
          application/json:
            schema: {{$ref: "#/components/schemas/NewPet"}}
      responses: {{"201": {{description: added}}}}
  /pets/{{petId}}:
    parameters:
      - {{name: petId, in: path, required: true, schema: {{type: string}}}}
    get:
      operationId: getPet
      summary: Read one pet
      responses: {{"200": {{description: the pet}}}}
  /pets/{{petId}}/photo:
    post:
      operationId: uploadPhoto
      summary: Upload a photo of a pet
      parameters:
        - {{name: petId, in: path, required: true, schema: {{type: string}}}}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema: {{type: object}}
      responses: {{"200": {{description: stored}}}}
"##
    )
}

/// The API this test serves: it answers every call with what it was asked.
async fn shop_api() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path_regex("^/v1/"))
        .respond_with(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            ResponseTemplate::new(200).set_body_json(json!({"path": req.url.path(), "got": body}))
        })
        .mount(&server)
        .await;
    server
}

/// The import as an editor's browser posts it, after the preview.
async fn import(
    app: &TestApp,
    editor: &reqwest::Client,
    document: &str,
    base_url: &str,
    auth: &str,
    ops: &[&str],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> =
        vec![("document", document), ("name", "Pet Shop"), ("base_url", base_url), ("auth", auth), ("secret", SECRET)];
    form.extend(ops.iter().map(|o| ("op", *o)));
    editor.post(app.url("/apps/1/integrations/custom")).form(&form).send().await.unwrap()
}

async fn added_pet_shop(app: &TestApp, api: &MockServer) -> reqwest::Client {
    let editor = app.signed_in(OWNER).await;
    let doc = pet_shop(&api.uri());
    let preview = editor.post(app.url("/apps/1/integrations/custom/preview")).form(&[("document", &doc)]).send().await;
    let page = text(preview.unwrap(), 200).await;
    assert!(page.contains("List the pets") && page.contains("/pets/{petId}"), "the operations in plain words");
    assert!(page.contains("API key in the X-Shop-Key header"), "the document's own way to send the key");
    assert!(page.contains("cannot be added: its body is multipart/form-data"), "and what cannot be called, said why");
    let done = import(
        app,
        &editor,
        &doc,
        &format!("{}/v1", api.uri()),
        "header:X-Shop-Key",
        &["list_pets", "create_pet", "get_pet"],
    )
    .await;
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    assert_eq!(location(&done), "/apps/1/integrations?notice=custom_added&c=custom_pet_shop");
    editor
}

async fn act(app: &TestApp, key: &str, action: &str, inputs: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/apps/1/actions/{action}")))
        .bearer_auth(key)
        .json(&json!({ "inputs": inputs }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn an_imported_operation_runs_as_an_action_with_the_secret_and_the_documents_path_and_body(app: TestApp) {
    let api = shop_api().await;
    added_pet_shop(&app, &api).await;
    let key = app_key(&app).await;

    let (status, made) =
        act(&app, &key, "custom_pet_shop.create_pet", json!({"name": "Rex", "tag": "dog", "age": "3"})).await;
    assert_eq!(status, 200, "{made}");
    assert_eq!(made["ok"], true);
    assert_eq!(made["output"]["got"], json!({"name": "Rex", "tag": "dog", "age": 3}), "the body as the schema says");

    let (_, read) = act(&app, &key, "custom_pet_shop.get_pet", json!({"pet_id": "a b/../admin"})).await;
    assert_eq!(read["output"]["path"], "/v1/pets/a%20b%2F..%2Fadmin", "a path value stays one segment");

    let calls = api.received_requests().await.unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].method.as_str(), "POST");
    assert!(calls.iter().all(|c| header(c, "x-shop-key").as_deref() == Some(SECRET)), "the key in its header");
    assert!(calls.iter().all(|c| header(c, "authorization").is_none()), "and nowhere else");

    let (status, refused) = act(&app, &key, "custom_pet_shop.create_pet", json!({"tag": "cat"})).await;
    assert_eq!(status, 400, "inputs are checked as for catalog actions: {refused}");
    assert!(refused["error"].as_str().unwrap().contains("inputs.name: is required"), "{refused}");
    let (status, _) = act(&app, &key, "custom_pet_shop.upload_photo", json!({})).await;
    assert_eq!(status, 404, "an operation that was not chosen is not an action");
    assert_eq!(api.received_requests().await.unwrap().len(), 2, "nothing refused reached the API");
}

async fn an_agent_lists_and_runs_the_imported_operations_over_mcp(app: TestApp) {
    let api = shop_api().await;
    added_pet_shop(&app, &api).await;
    let agent = crate::mcp::agent(&app, &app_key(&app).await).await.unwrap();
    let names: Vec<String> = agent.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    assert!(names.contains(&"custom_pet_shop__create_pet".to_owned()), "{names:?}");
    let made = crate::mcp::call(&agent, "custom_pet_shop__create_pet", json!({"name": "Rex"})).await;
    assert_eq!(crate::mcp::answer(&made)["ok"], true, "{made:?}");
    assert_eq!(crate::mcp::answer(&made)["output"]["got"], json!({"name": "Rex"}));
    let calls = api.received_requests().await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(header(&calls[0], "x-shop-key").as_deref(), Some(SECRET));
}

async fn the_proxy_reaches_only_the_imported_host_with_the_secret(app: TestApp) {
    let api = shop_api().await;
    added_pet_shop(&app, &api).await;
    let key = app_key(&app).await;
    let http = reqwest::Client::new();
    let through = http
        .get(app.url("/api/v1/apps/1/proxy/custom_pet_shop/pets?limit=2"))
        .bearer_auth(&key)
        .header("x-shop-key", "the-callers-own")
        .send()
        .await
        .unwrap();
    assert_eq!(through.status(), 200);
    let answer: Value = through.json().await.unwrap();
    assert_eq!(answer["path"], "/v1/pets");
    let calls = api.received_requests().await.unwrap();
    assert_eq!(calls[0].url.query(), Some("limit=2"));
    assert_eq!(header(&calls[0], "x-shop-key").as_deref(), Some(SECRET), "the caller's key never passes");

    for away in ["..%2F..%2Fadmin", "x/%2E%2E%2Fadmin", "@evil.test/x", "https:%2F%2Fevil.test/x", "a//b"] {
        let r = http.get(app.url(&format!("/api/v1/apps/1/proxy/custom_pet_shop/{away}"))).bearer_auth(&key).send();
        let r = r.await.unwrap();
        assert_eq!(r.status(), 400, "{away} should be refused");
        let said: Value = r.json().await.unwrap();
        assert!(said["error"].as_str().unwrap().starts_with("the path is refused"), "{said}");
    }
    assert_eq!(api.received_requests().await.unwrap().len(), 1, "no refused call reached any host");
}

async fn a_key_in_the_query_or_a_bearer_secret_goes_where_chosen(app: TestApp) {
    let api = shop_api().await;
    let editor = app.signed_in(OWNER).await;
    let doc = pet_shop(&api.uri()).replace("in: header\n      name: X-Shop-Key", "in: query\n      name: key");
    let base = format!("{}/v1", api.uri());
    assert_eq!(import(&app, &editor, &doc, &base, "query:key", &["list_pets"]).await.status(), 303);
    let key = app_key(&app).await;
    let (_, listed) = act(&app, &key, "custom_pet_shop.list_pets", json!({"limit": 5})).await;
    assert_eq!(listed["ok"], true, "{listed}");
    let calls = api.received_requests().await.unwrap();
    let query: Vec<(String, String)> = calls[0].url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    assert!(query.contains(&("limit".into(), "5".into())) && query.contains(&("key".into(), SECRET.into())));

    let second = import(&app, &editor, &doc, &base, "bearer", &["list_pets"]).await;
    assert_eq!(location(&second), "/apps/1/integrations?notice=custom_added&c=custom_pet_shop_2", "a second import");
    act(&app, &key, "custom_pet_shop_2.list_pets", json!({})).await;
    let calls = api.received_requests().await.unwrap();
    assert_eq!(header(&calls[1], "authorization"), Some(format!("Bearer {SECRET}")));
    assert!(calls[1].url.query().is_none(), "a bearer secret is not in the query");
}

async fn bad_documents_and_internal_hosts_are_refused_in_words(app: TestApp) {
    let editor = app.signed_in(OWNER).await;
    let preview = |doc: String| {
        let editor = editor.clone();
        let url = app.url("/apps/1/integrations/custom/preview");
        async move { text(editor.post(url).form(&[("document", doc)]).send().await.unwrap(), 422).await }
    };
    assert!(preview("this is not: [a document".into()).await.contains("The document is neither JSON nor YAML"));
    let swagger = r#"{"swagger": "2.0", "info": {"title": "Old", "version": "1"}, "paths": {}}"#;
    assert!(preview(swagger.into()).await.contains("This is a Swagger 2.0 document"));
    let no_server = pet_shop("http://127.0.0.1:9").replace("servers:\n  - url: http://127.0.0.1:9/v1\n", "");
    assert!(preview(no_server).await.contains("The document names no server"));
    let broken = pet_shop("http://127.0.0.1:9").replace("title: Pet Shop\n", "");
    assert!(preview(broken).await.contains("The document is not valid OpenAPI 3"));

    let doc = pet_shop("http://127.0.0.1:9");
    for (base, words) in [
        ("http://169.254.169.254/latest", "169.254.169.254 is not a public address"),
        ("http://10.1.2.3/v1", "10.1.2.3 is not a public address"),
        ("https://[fd00::1]/v1", "is not a public address"),
        ("ftp://files.example.com/", "must start with https://"),
        ("/v1", "is not a web address"),
    ] {
        let page = text(import(&app, &editor, &doc, base, "header:X-Shop-Key", &["list_pets"]).await, 422).await;
        assert!(page.contains(words), "{base}: {words}");
        assert!(!page.contains(SECRET), "the secret is not sent back to the page");
    }
    let none = text(import(&app, &editor, &doc, "http://127.0.0.1:9/v1", "bearer", &[]).await, 422).await;
    assert!(none.contains("Choose at least one operation."));
    assert!(app.store.custom_apis_of_app(TODO_APP).await.unwrap().is_empty(), "nothing was stored");
}

async fn the_secret_never_shows_and_can_be_replaced_or_removed(app: TestApp) {
    let api = shop_api().await;
    let editor = added_pet_shop(&app, &api).await;
    let key = app_key(&app).await;
    let added = "/apps/1/integrations?notice=custom_added&c=custom_pet_shop";
    let page = text(editor.get(app.url(added)).send().await.unwrap(), 200).await;
    assert!(
        page.contains("Pet Shop was added") && page.contains("custom_pet_shop.create_pet"),
        "listed with its actions"
    );
    assert!(page.contains("API key in the X-Shop-Key header") && page.contains("Replace secret"));
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    for path in ["connections", "connections/custom_pet_shop", "connections/custom_pet_shop?include=token"] {
        let r = http.get(app.url(&format!("/api/v1/apps/1/{path}"))).bearer_auth(&key).send().await.unwrap();
        answers.push(r.text().await.unwrap());
    }
    assert!(answers[1].contains("\"status\":\"connected\""), "the host's backend sees it connected: {}", answers[1]);
    assert!(answers[2].contains("never handed out"), "{}", answers[2]);
    for shown in answers.iter().chain([&page]) {
        assert!(!shown.contains(SECRET), "the secret is never shown again: {shown}");
    }
    let row = app.store.custom_apis_of_app(TODO_APP).await.unwrap().remove(0);

    let replaced = editor
        .post(app.url(&format!("/apps/1/integrations/custom/{}/secret", row.id)))
        .form(&[("secret", "pk_live_rotated_11")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&replaced), "/apps/1/integrations?notice=custom_secret&c=custom_pet_shop");
    act(&app, &key, "custom_pet_shop.list_pets", json!({})).await;
    let calls = api.received_requests().await.unwrap();
    assert_eq!(header(calls.last().unwrap(), "x-shop-key").as_deref(), Some("pk_live_rotated_11"));
    let page = text(editor.get(app.url(&location(&replaced))).send().await.unwrap(), 200).await;
    assert!(!page.contains("pk_live_rotated_11") && page.contains("Pet Shop uses the new secret."));

    let removed = editor.post(app.url(&format!("/apps/1/integrations/custom/{}/remove", row.id))).send().await.unwrap();
    assert_eq!(location(&removed), "/apps/1/integrations?notice=custom_removed");
    let (status, _) = act(&app, &key, "custom_pet_shop.list_pets", json!({})).await;
    assert_eq!(status, 404, "its actions are gone");
    assert!(app.store.shared_connection(TODO_APP, "custom_pet_shop").await.unwrap().is_none(), "with its secret");
}

async fn a_flow_step_runs_the_custom_action(app: TestApp) {
    let api = shop_api().await;
    added_pet_shop(&app, &api).await;
    let def = FlowDefinition::from_json(
        &json!({
            "name": "Add the morning pet",
            "trigger": {"kind": "schedule", "cron": "0 8 * * *", "time_zone": "UTC"},
            "steps": [{"kind": "action", "id": "add", "operation": "custom_pet_shop.create_pet",
                       "connection": {"connector": "custom_pet_shop", "kind": "shared"},
                       "inputs": {"name": "Biscuit", "tag": "morning"}, "scopes": []}]
        })
        .to_string(),
    )
    .unwrap();
    let (flow, report) = wiring::save(&app.store, &app.state.catalog, TODO_APP, &def, None).await.unwrap();
    assert!(report.can_activate(), "the flow checks against the app's own APIs: {:?}", report.problems);
    let id = flow.row.id;
    app.store.set_flow_status(id, "active", None).await.unwrap();
    patchbay::runner::scheduler::sync_flow(&app.store, id).await.unwrap();
    let schedule = app.store.schedule(id).await.unwrap().unwrap();
    app.store.put_schedule(id, &schedule.cron, &schedule.time_zone, now() - 5).await.unwrap();
    assert_eq!(app.state.runner.fire_due().await.unwrap(), 1);
    patchbay::runner::worker::work_queue(&app.state.runner).await.unwrap();
    let run = app.store.runs_of_flow(id, 1).await.unwrap().remove(0);
    assert_eq!(run.status, "succeeded", "{:?}", run.error);
    let calls = api.received_requests().await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(serde_json::from_slice::<Value>(&calls[0].body).unwrap(), json!({"name": "Biscuit", "tag": "morning"}));
    assert_eq!(header(&calls[0], "x-shop-key").as_deref(), Some(SECRET));
}

async fn a_refused_secret_asks_for_a_new_one_in_words(app: TestApp) {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "unknown shop key"})))
        .mount(&api)
        .await;
    let editor = added_pet_shop(&app, &api).await;
    let key = app_key(&app).await;
    let (status, refused) = act(&app, &key, "custom_pet_shop.list_pets", json!({})).await;
    assert_eq!(status, 200, "the API's own refusal is an outcome: {refused}");
    assert_eq!((refused["ok"].as_bool(), refused["provider_status"].as_u64()), (Some(false), Some(401)));
    assert!(refused["error"].as_str().unwrap().contains("unknown shop key"), "in the API's own words: {refused}");
    let page = text(editor.get(app.url("/apps/1/integrations")).send().await.unwrap(), 200).await;
    assert!(
        page.contains("The API refused its secret. Replace the secret on My integrations"),
        "the page says what to do"
    );
    let (status, again) = act(&app, &key, "custom_pet_shop.list_pets", json!({})).await;
    assert_eq!(status, 409, "not sent again with a refused secret: {again}");
    let row = app.store.custom_apis_of_app(TODO_APP).await.unwrap().remove(0);
    let url = app.url(&format!("/apps/1/integrations/custom/{}/secret", row.id));
    editor.post(url).form(&[("secret", "pk_live_fixed_22")]).send().await.unwrap();
    let connection = app.store.shared_connection(TODO_APP, "custom_pet_shop").await.unwrap().unwrap();
    assert_eq!(connection.status, "connected", "a new secret makes it usable again");
}

#[tokio::test]
async fn without_the_development_setting_an_api_on_this_machine_is_refused() {
    let app = TestApp::spawn().await;
    let editor = app.signed_in(OWNER).await;
    let doc = pet_shop("http://127.0.0.1:9");
    let page = text(import(&app, &editor, &doc, "http://127.0.0.1:9/v1", "bearer", &["list_pets"]).await, 422).await;
    assert!(page.contains("127.0.0.1 is not a public address"), "loopback only for tests and development");
    let app_user = app.signed_in(crate::helpers::APP_USER).await;
    let refused = app_user.post(app.url("/apps/1/integrations/custom/preview")).form(&[("document", &doc)]).send();
    assert_eq!(refused.await.unwrap().status(), 403, "people who use the app do not add APIs to it");
}

#[tokio::test]
async fn an_editor_uploads_the_document_in_chromium_and_chooses_an_operation() {
    let app = TestApp::spawn_with(|s| s.actions.allow_local_custom_apis = true).await;
    let Some(d) = crate::browser::Driver::start().await else { return };
    let api = shop_api().await;
    let file = app.dir.path().join("pet-shop.yaml");
    std::fs::write(&file, pet_shop(&api.uri())).unwrap();
    crate::browser::sign_in(&d, &app, "Ada Owner").await;
    d.client.goto(&app.url("/apps/1/integrations")).await.unwrap();
    d.client.find(Locator::LinkText("Add a custom API")).await.unwrap().click().await.unwrap();
    d.type_into("input[type=file]", file.to_str().unwrap()).await;
    let filled = "return document.getElementById('document').value.length";
    for _ in 0..50 {
        if d.client.execute(filled, vec![]).await.unwrap().as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    d.press("Show its operations").await;
    d.wait_for(Locator::Css("table.operations")).await;
    d.screenshot("custom-api-preview.png").await;
    d.client.find(Locator::Css("input[value=list_pets]")).await.unwrap().click().await.unwrap();
    d.type_into("input[name=secret]", SECRET).await;
    d.press("Add Pet Shop").await;
    let card = d.text_of(".custom-apis article").await;
    assert!(card.contains("Pet Shop") && card.contains("Connected"), "{card}");
    d.screenshot("custom-api-listed.png").await;
    let key = app_key(&app).await;
    let (_, listed) = act(&app, &key, "custom_pet_shop.list_pets", json!({})).await;
    assert_eq!(listed["ok"], true, "{listed}");
}

/// A server with custom APIs allowed on this machine (the test's API is local) and the
/// runner driven by hand; on its own PostgreSQL database when given one.
fn server(s: &mut patchbay::config::Settings) {
    s.actions.allow_local_custom_apis = true;
    s.runner.enabled = false;
}

on_both_servers!(
    server;
    an_agent_lists_and_runs_the_imported_operations_over_mcp,
    an_imported_operation_runs_as_an_action_with_the_secret_and_the_documents_path_and_body,
    the_proxy_reaches_only_the_imported_host_with_the_secret,
    a_key_in_the_query_or_a_bearer_secret_goes_where_chosen,
    bad_documents_and_internal_hosts_are_refused_in_words,
    the_secret_never_shows_and_can_be_replaced_or_removed,
    a_flow_step_runs_the_custom_action,
    a_refused_secret_asks_for_a_new_one_in_words,
);
