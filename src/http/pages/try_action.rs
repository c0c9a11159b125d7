//! My integrations → **Try an action** (editors): pick one of a connection's actions,
//! fill its inputs, run it with the connection and see what the provider answered. The
//! same runner as the App API, so what works here works for the app's backend.

use super::{Access, Layout, PageError, render};
use crate::actions::{ActionError, Outcome, Runner};
use crate::catalog::{Connector, Input, InputKind, Operation};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Form fields of the inputs are named `in.<input>` (a file: `in.<input>.name` and
/// `in.<input>.content`), so that no input can collide with the page's own fields.
const PREFIX: &str = "in.";

pub struct ActionChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

pub struct Field {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub required: bool,
    /// text, textarea, checkbox, number, date, datetime, email, url, file
    pub widget: &'static str,
    pub value: String,
    pub checked: bool,
}

/// What running it did, as the page shows it.
pub struct Ran {
    pub ok: bool,
    pub headline: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "integrations/try.html")]
struct TryPage {
    layout: Layout,
    app_id: i64,
    connection_id: i64,
    connector: String,
    name: String,
    account: String,
    actions: Vec<ActionChoice>,
    chosen: Option<(String, String, String)>,
    fields: Vec<Field>,
    missing: Vec<String>,
    ran: Option<Ran>,
    sandbox: bool,
}

#[derive(Deserialize, Default)]
pub struct TryQuery {
    action: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
    Query(q): Query<TryQuery>,
) -> Result<Response, PageError> {
    show(&state, &user, app_id, id, q.action.as_deref(), &[], None).await
}

pub async fn run(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, id)): Path<(i64, i64)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let action_id = field("action").unwrap_or_default().to_owned();
    let (access, row) = connection(&state, &user, app_id, id).await?;
    let connector = state.catalog.get(&row.connector).ok_or_else(PageError::not_found)?;
    let action = connector.action(&action_id).ok_or_else(PageError::not_found)?;
    let inputs = inputs_of(action, &form);
    let runner = Runner::new(state.oauth.clone(), state.connections.clone());
    let ran = match runner.run(app_id, connector.id.as_str(), &action.id, &inputs).await {
        Ok(outcome) => described(connector, &outcome),
        Err(ActionError::Store(e)) => return Err(e.into()),
        Err(e) => Ran { ok: false, headline: "Not run".into(), detail: e.to_string() },
    };
    let line = format!("{}: {}", action.name, if ran.ok { "succeeded" } else { "failed" });
    state
        .store
        .audit(
            Some(app_id),
            Some(access.user.id),
            "try_action",
            Some(&row.connector),
            row.account.as_deref(),
            Some(&line),
        )
        .await?;
    show(&state, &user, app_id, id, Some(&action_id), &form, Some(ran)).await
}

async fn show(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    id: i64,
    chosen: Option<&str>,
    form: &[(String, String)],
    ran: Option<Ran>,
) -> Result<Response, PageError> {
    let (access, row) = connection(state, user, app_id, id).await?;
    let connector = state.catalog.get(&row.connector).ok_or_else(PageError::not_found)?;
    let account = row.account.clone().unwrap_or_default();
    // Nothing chosen yet: the first action, so that a newcomer sees inputs at once.
    let chosen = chosen.or_else(|| connector.bound_actions().next().map(|a| a.id.as_str()));
    let action = chosen.and_then(|a| connector.action(a)).filter(|a| a.is_bound());
    let granted = row.granted_scopes()?;
    let missing = action
        .map(|a| {
            let lacking = a.scopes.iter().filter(|s| !granted.contains(s));
            lacking.map(|s| connector.permission(s).map_or(s.clone(), |p| p.label.clone())).collect()
        })
        .unwrap_or_default();
    let page = TryPage {
        layout: Layout::for_app(format!("Try {} · {}", connector.name, access.app.name), &access, "integrations"),
        app_id,
        connection_id: id,
        connector: row.connector.clone(),
        name: connector.name.clone(),
        actions: connector
            .bound_actions()
            .map(|a| ActionChoice { id: a.id.clone(), name: a.name.clone(), selected: Some(a.id.as_str()) == chosen })
            .collect(),
        chosen: action.map(|a| (a.id.clone(), a.name.clone(), a.description.clone())),
        fields: action.map(|a| a.inputs.iter().map(|i| field(i, form, &account)).collect()).unwrap_or_default(),
        missing,
        ran,
        sandbox: crate::oauth::Provider::resolve(connector, &state.settings).is_ok_and(|p| p.sandbox),
        account,
    };
    render(StatusCode::OK, &page)
}

/// The connection, when it is this app's; editors only.
async fn connection(
    state: &AppState,
    user: &crate::store::UserRow,
    app_id: i64,
    id: i64,
) -> Result<(Access, crate::store::ConnectionRow), PageError> {
    let access = Access::load(state, app_id, user).await?;
    access.require_builder("try actions")?;
    let row = state.store.connection(id).await?.filter(|c| c.app_id == app_id).ok_or_else(PageError::not_found)?;
    Ok((access, row))
}

fn field(input: &Input, form: &[(String, String)], account: &str) -> Field {
    let sent = |suffix: &str| {
        let key = format!("{PREFIX}{}{suffix}", input.name);
        form.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
    };
    let widget = match input.kind {
        InputKind::Text | InputKind::Json | InputKind::List => "textarea",
        InputKind::Boolean => "checkbox",
        InputKind::Number => "number",
        InputKind::Date => "date",
        InputKind::Datetime => "datetime",
        InputKind::Email => "email",
        InputKind::Url => "url",
        InputKind::File => "file",
        InputKind::String | InputKind::Channel | InputKind::User => "text",
    };
    let hint = match input.kind {
        InputKind::List => "one per line, or separated by commas",
        InputKind::Json => "JSON",
        InputKind::Datetime => "RFC 3339, e.g. 2026-05-01T09:00:00Z",
        InputKind::File => "a file name, and its text below",
        _ => "",
    };
    // On first show, an address field suggests the connected account: sending to
    // yourself is the safe first try.
    let suggest = input.kind == InputKind::Email && input.required && form.is_empty() && account.contains('@');
    let default = if suggest { account } else { "" };
    Field {
        name: input.name.clone(),
        label: if input.description.is_empty() { input.name.clone() } else { input.description.clone() },
        hint: hint.into(),
        required: input.required,
        widget,
        value: sent(if input.kind == InputKind::File { ".content" } else { "" }).unwrap_or_else(|| default.to_owned()),
        checked: sent("").is_some_and(|v| v == "on" || v == "true"),
    }
}

/// The form as the action's inputs: text as typed (the runner's checks read it), a
/// checkbox as true, a file as `{"name", "content"}`.
fn inputs_of(action: &Operation, form: &[(String, String)]) -> Value {
    let get = |key: String| form.iter().find(|(k, _)| *k == key).map(|(_, v)| v.trim().to_owned());
    let mut inputs = Map::new();
    for input in &action.inputs {
        let value = match input.kind {
            InputKind::Boolean => get(format!("{PREFIX}{}", input.name)).map(|v| Value::Bool(v == "on" || v == "true")),
            InputKind::File => {
                get(format!("{PREFIX}{}.content", input.name)).filter(|c| !c.is_empty()).map(|content| {
                    let name = get(format!("{PREFIX}{}.name", input.name)).filter(|n| !n.is_empty());
                    json!({ "name": name.unwrap_or_else(|| "file.txt".into()), "content": content })
                })
            }
            _ => get(format!("{PREFIX}{}", input.name)).filter(|v| !v.is_empty()).map(Value::String),
        };
        if let Some(v) = value {
            inputs.insert(input.name.clone(), v);
        }
    }
    Value::Object(inputs)
}

fn described(connector: &Connector, outcome: &Outcome) -> Ran {
    let output = serde_json::to_string_pretty(&outcome.output).unwrap_or_default();
    match &outcome.error {
        None => Ran {
            ok: true,
            headline: format!("Done: {} answered {}", connector.name, outcome.provider_status),
            detail: output,
        },
        Some(error) => {
            let status =
                if outcome.provider_status == 0 { String::new() } else { format!(" ({})", outcome.provider_status) };
            Ran { ok: false, headline: format!("{} refused{status}", connector.name), detail: error.clone() }
        }
    }
}
