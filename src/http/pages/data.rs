//! The built-in data source as a page: an app's records, entity by entity, to add, edit
//! and delete. It is where the demo app's tasks live, so a newcomer's daily email lists
//! real tasks. Each change is also reported to the runner, as a host would post it, so
//! flows triggered by record changes run.

use super::{Access, Layout, PageError, render};
use crate::app::Entity;
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use crate::runner::data::record_json;
use crate::runner::events::{self, Change};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};

struct FieldView {
    name: String,
    label: String,
    /// The input's type: text, date, number, checkbox, email.
    input: &'static str,
}

struct RowView {
    id: i64,
    values: Vec<(String, String, bool)>,
}

struct EntityView {
    name: String,
    fields: Vec<FieldView>,
    rows: Vec<RowView>,
}

#[derive(Template)]
#[template(path = "data/page.html")]
struct DataPage {
    layout: Layout,
    app_id: i64,
    entities: Vec<EntityView>,
    hosted: bool,
}

fn input_of(kind: Option<&str>) -> &'static str {
    match kind.unwrap_or("text") {
        "date" => "date",
        "number" | "integer" | "currency" => "number",
        "boolean" | "bool" => "checkbox",
        "email" => "email",
        _ => "text",
    }
}

fn fields_of(entity: &Entity) -> Vec<FieldView> {
    entity
        .fields
        .iter()
        .map(|f| FieldView {
            name: f.name.clone(),
            label: f.name.replace('_', " "),
            input: input_of(f.kind.as_deref()),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("edit the app's data")?;
    let hosted = state.store.app_data_source(app_id).await?.0.is_some();
    let mut entities = Vec::new();
    for entity in &access.structure().entities {
        let fields = fields_of(entity);
        let rows = state
            .store
            .records(app_id, &entity.name)
            .await?
            .iter()
            .map(|r| {
                let data = record_json(r);
                let values = fields
                    .iter()
                    .map(|f| {
                        let v = data.get(&f.name);
                        let checked = v == Some(&Value::Bool(true));
                        (f.name.clone(), crate::runner::scope::as_text(v), checked)
                    })
                    .collect();
                RowView { id: r.id, values }
            })
            .collect();
        entities.push(EntityView { name: entity.name.clone(), fields, rows });
    }
    let layout = Layout::for_app(format!("{} · Data", access.app.name), &access, "data");
    render(StatusCode::OK, &DataPage { layout, app_id, entities, hosted })
}

/// The form's values as the entity's typed fields (a checkbox absent means false).
fn values_of(entity: &Entity, form: &[(String, String)]) -> Map<String, Value> {
    entity
        .fields
        .iter()
        .map(|f| {
            let raw = form.iter().find(|(k, _)| *k == f.name).map(|(_, v)| v.trim().to_owned());
            let value = match input_of(f.kind.as_deref()) {
                "checkbox" => Value::Bool(raw.is_some()),
                "number" => raw.as_deref().and_then(|r| r.parse::<f64>().ok()).map_or(Value::Null, Value::from),
                _ => raw.filter(|r| !r.is_empty()).map_or(Value::Null, Value::String),
            };
            (f.name.clone(), value)
        })
        .collect()
}

async fn entity_of(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    name: &str,
) -> Result<(Access, Entity), PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder("edit the app's data")?;
    let entity = access.structure().entity(name).cloned().ok_or_else(PageError::not_found)?;
    Ok((access, entity))
}

pub async fn add(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, entity)): Path<(i64, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, entity) = entity_of(&state, &user, app_id, &entity).await?;
    let values = values_of(&entity, &form);
    let row = state.store.add_record(app_id, &entity.name, &Value::Object(values).to_string()).await?;
    let record = record_json(&row);
    let change = Change { entity: &entity.name, change: "created", record: &record, previous: None };
    events::record_changed(&state.store, app_id, &change).await?;
    Ok(Redirect::to(&format!("/apps/{app_id}/data#{}", entity.name)).into_response())
}

pub async fn save(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, entity, id)): Path<(i64, String, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (_, entity) = entity_of(&state, &user, app_id, &entity).await?;
    let before = state.store.record(app_id, id).await?.ok_or_else(PageError::not_found)?;
    let previous = record_json(&before);
    if form.iter().any(|(k, v)| k == "action" && v == "delete") {
        state.store.delete_record(app_id, id).await?;
        let change = Change { entity: &entity.name, change: "deleted", record: &previous, previous: None };
        events::record_changed(&state.store, app_id, &change).await?;
    } else {
        let values = values_of(&entity, &form);
        let after = state
            .store
            .update_record(app_id, id, &Value::Object(values).to_string())
            .await?
            .ok_or_else(PageError::not_found)?;
        let record = record_json(&after);
        let change = Change { entity: &entity.name, change: "updated", record: &record, previous: Some(&previous) };
        events::record_changed(&state.store, app_id, &change).await?;
    }
    Ok(Redirect::to(&format!("/apps/{app_id}/data#{}", entity.name)).into_response())
}
