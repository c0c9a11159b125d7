//! The Sandbox outbox: what apps did through the sandbox, in readable form ("Gmail: email
//! to ada@example.com, subject 'Open tasks'"), as a page and as `/sandbox/outbox.json`;
//! and the failures a developer or a test asks the sandbox to play next.

use super::FAULTS;
use crate::http::AppState;
use crate::http::pages::{PageError, render};
use crate::store::OutboxRow;
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// How many calls the outbox shows.
const SHOWN: i64 = 200;

/// One call as the outbox shows it; `body` is the decoded request body.
pub struct CallView {
    pub connector: String,
    pub operation: Option<String>,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub at: String,
    pub summary: String,
    pub body: Value,
}

impl CallView {
    fn of(row: OutboxRow) -> Self {
        let at = chrono::DateTime::from_timestamp(row.at, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
        Self {
            body: serde_json::from_str(&row.body).unwrap_or(Value::String(row.body)),
            connector: row.connector,
            operation: row.operation,
            method: row.method,
            path: row.path,
            status: row.status,
            at,
            summary: row.summary,
        }
    }

    /// The body as the page prints it.
    pub fn pretty(&self) -> String {
        match &self.body {
            Value::Null => String::new(),
            other => serde_json::to_string_pretty(other).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "sandbox/outbox.html")]
struct OutboxPage {
    calls: Vec<CallView>,
    faults: Vec<(String, String, i64)>,
    connectors: Vec<(String, String)>,
    kinds: [(&'static str, &'static str); 3],
}

pub async fn page(State(state): State<AppState>) -> Result<Response, PageError> {
    let calls = state.store.outbox(SHOWN).await?.into_iter().map(CallView::of).collect();
    let name = |id: &str| state.catalog.get(id).map_or(id.to_owned(), |c| c.name.clone());
    let faults =
        state.store.sandbox_faults().await?.into_iter().map(|f| (name(&f.connector), f.kind, f.remaining)).collect();
    let connectors = state
        .catalog
        .iter()
        .filter(|c| c.bound_actions().next().is_some())
        .map(|c| (c.id.as_str().to_owned(), c.name.clone()))
        .collect();
    let mut response = render(StatusCode::OK, &OutboxPage { calls, faults, connectors, kinds: FAULTS })?;
    response.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
    Ok(response)
}

/// `{"calls": [{"connector", "operation"?, "method", "path", "at", "summary", "body"}]}`,
/// newest first.
pub async fn json(State(state): State<AppState>) -> Result<Json<Value>, crate::http::AppError> {
    let calls: Vec<Value> = state
        .store
        .outbox(SHOWN)
        .await?
        .into_iter()
        .map(CallView::of)
        .map(|c| {
            let mut v = json!({
                "connector": c.connector, "method": c.method, "path": c.path, "status": c.status,
                "at": c.at, "summary": c.summary, "body": c.body,
            });
            if let Some(op) = c.operation {
                v["operation"] = Value::String(op);
            }
            v
        })
        .collect();
    Ok(Json(json!({ "calls": calls })))
}

#[derive(Deserialize)]
struct FaultForm {
    connector: String,
    kind: String,
    #[serde(default = "one")]
    count: i64,
}

fn one() -> i64 {
    1
}

/// `POST /sandbox/faults` (a form, or JSON `{"connector", "kind", "count"?}`): the next
/// `count` calls to the connector fail that way.
pub async fn add_fault(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let is_json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.contains("json"));
    let parsed: Result<FaultForm, String> =
        if is_json { serde_json::from_slice(&body).map_err(|e| e.to_string()) } else { serde_urlencoded_form(&body) };
    let form = match parsed {
        Ok(f)
            if FAULTS.iter().any(|(k, _)| *k == f.kind)
                && state.catalog.get(&f.connector).is_some()
                && (1..=100).contains(&f.count) =>
        {
            f
        }
        Ok(_) => {
            return bad(&format!(
                "give a connector id, a kind ({}) and a count from 1 to 100",
                FAULTS.map(|(k, _)| k).join(", ")
            ));
        }
        Err(e) => return bad(&e),
    };
    if let Err(e) = state.store.add_sandbox_fault(&form.connector, &form.kind, form.count).await {
        return PageError::from(e).into_response();
    }
    if is_json {
        return (
            StatusCode::CREATED,
            Json(json!({ "connector": form.connector, "kind": form.kind, "count": form.count })),
        )
            .into_response();
    }
    Redirect::to("/sandbox/outbox").into_response()
}

/// `POST /sandbox/outbox/clear`: empties the outbox and forgets planned failures.
pub async fn clear(State(state): State<AppState>) -> Response {
    let done = async {
        state.store.clear_outbox().await?;
        state.store.clear_sandbox_faults().await
    };
    match done.await {
        Ok(()) => Redirect::to("/sandbox/outbox").into_response(),
        Err(e) => PageError::from(e).into_response(),
    }
}

fn serde_urlencoded_form(body: &[u8]) -> Result<FaultForm, String> {
    let field = |name: &str| url::form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    Ok(FaultForm {
        connector: field("connector").ok_or("connector is missing")?,
        kind: field("kind").ok_or("kind is missing")?,
        count: field("count").map_or(Ok(1), |c| c.trim().parse().map_err(|_| "count is not a number".to_owned()))?,
    })
}

fn bad(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}
