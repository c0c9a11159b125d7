//! The two meta-tools' calls. `execute` runs an action through the same `Runner::run` the
//! App API's action route calls, and answers the same `{"ok", "output", "provider_status",
//! "error"?}`; what patchbay refuses is a tool error the model can read and act on (MCP
//! clients hide JSON-RPC errors from the model), and a missing connection or permission is
//! answered with the page where a person grants it.

use super::authorize::{self, Needed, Standing};
use super::confirm;
use super::person;
use super::rules::AgentRules;
use super::search::{self, DEFAULT_LIMIT, MAX_LIMIT};
use super::server::{McpServer, internal};
use super::tools::{self, input_schema};
use crate::actions::{ActionError, Runner};
use crate::oauth::app_user::AppUserError;
use crate::ranking::{RouteMode, RouteRequest};
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject};
use serde_json::{Value, json};

/// A tool call's answer, with what the audit log keeps of it.
pub struct Called {
    pub result: CallToolResult,
    pub connector: Option<String>,
    /// How it ended, in a few words: never the inputs, never a token.
    pub outcome: String,
    /// A page a person must open before the call can succeed, for a client that opens
    /// links itself (URL-mode elicitation).
    pub link: Option<Link>,
}

/// A page for a person, and why, in words that do not need the page's address.
pub struct Link {
    pub url: String,
    pub message: String,
}

impl Called {
    fn answer(value: Value, is_error: bool, connector: Option<String>, outcome: String) -> Self {
        let text = value.to_string();
        let mut result = if is_error {
            CallToolResult::error(vec![ContentBlock::text(text)])
        } else {
            CallToolResult::success(vec![ContentBlock::text(text)])
        };
        result.structured_content = Some(value);
        Self { result, connector, outcome, link: None }
    }

    /// Refused before anything ran: the message says what to change.
    pub fn refused(connector: Option<String>, message: &str) -> Self {
        let result = CallToolResult::error(vec![ContentBlock::text(message)]);
        Self { result, connector, outcome: "refused".into(), link: None }
    }

    /// Waiting for a person (a confirmation): the message first, as text a person can read.
    pub fn waiting(value: Value, message: &str, action: &str, link: Link) -> Self {
        let mut result = CallToolResult::error(vec![ContentBlock::text(message)]);
        result.structured_content = Some(value);
        let connector = action.split_once('.').map(|(c, _)| c.to_owned());
        Self { result, connector, outcome: "waiting for a person's confirmation".into(), link: Some(link) }
    }

    fn needs(needed: Needed, action: &str) -> Self {
        let value = json!({
            "error": "authorization_required",
            "message": needed.message,
            "connector": needed.connector,
            "action": action,
            "permissions": needed.permissions,
            "url": needed.url,
        });
        // The message first, as text a person can read when the client shows it as is.
        let mut result = CallToolResult::error(vec![ContentBlock::text(needed.message.clone())]);
        result.structured_content = Some(value);
        let link = Link { url: needed.url, message: needed.ask };
        Self { result, connector: Some(needed.connector), outcome: "authorization required".into(), link: Some(link) }
    }
}

/// `search_tools {task, limit?}`.
pub async fn search(server: &McpServer, args: &JsonObject) -> Result<Called, ErrorData> {
    let task = match args.get("task") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.trim(),
        _ => return Ok(Called::refused(None, "search_tools needs \"task\": what to do, in plain words")),
    };
    let limit = match args.get("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_LIMIT as u64).contains(&n) => n as usize,
            _ => return Ok(Called::refused(None, &format!("\"limit\" must be a whole number from 1 to {MAX_LIMIT}"))),
        },
    };
    let state = &server.state;
    let structure = crate::chat::structure_with_connections(&state.store, &server.app).await.map_err(internal)?;
    let request = RouteRequest { prompt: task.to_owned(), app: structure, chips: Vec::new() };
    let route = match state.routing.route(&request, RouteMode::Default).await {
        Ok(route) => route,
        Err(e) => return Ok(Called::refused(None, &e.to_string())),
    };
    let rows = state.store.connections_of_app(server.app.id).await.map_err(internal)?;
    let base = state.settings.public_url();
    let rules = AgentRules::load(&state.store, server.app.id).await.map_err(internal)?;
    let results: Vec<Value> = search::found(&state.catalog, &route, task, limit)
        .into_iter()
        // What the app's owner keeps from agents is not offered.
        .filter(|f| !rules.hides(&format!("{}.{}", f.connector.id, f.action.id)))
        .map(|f| {
            let row = rows.iter().find(|r| r.kind == "shared" && r.connector == f.connector.id.as_str());
            let standing = Standing::of(f.connector, f.action, row);
            let runnable = f.action.is_bound();
            // No one is sent to connect a tool for an action patchbay cannot run anyway.
            let needed =
                runnable.then(|| authorize::needed(&base, server.app.id, f.connector, f.action, row)).flatten();
            json!({
                "action": format!("{}.{}", f.connector.id, f.action.id),
                "tool": tools::tool_name(f.connector, f.action),
                "connector": f.connector.id.as_str(),
                "connector_name": f.connector.name,
                "name": f.action.name,
                "description": f.action.description,
                "input_schema": input_schema(f.action),
                "runnable": runnable,
                "connected": standing.is_connected(),
                "ready": runnable && standing == Standing::Ready,
                "missing_permissions": needed.as_ref().map(|n| n.permissions.clone()).unwrap_or_default(),
                "connect_url": needed.map(|n| n.url),
                "other_actions": f.others.iter().map(|o| format!("{}.{}", f.connector.id, o.id)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let outcome = format!("ok, {} results", results.len());
    Ok(Called::answer(json!({ "task": task, "results": results }), false, None, outcome))
}

/// `execute {action, inputs}`, and each listed action tool (its arguments are the inputs).
pub async fn execute(server: &McpServer, target: &str, inputs: &Value) -> Result<Called, ErrorData> {
    let state = &server.state;
    let Some((connector_id, action_id)) = tools::split_target(target) else {
        return Ok(Called::refused(None, &format!("'{target}' is not an action id like gmail.send_email")));
    };
    let runner = Runner::new(state.oauth.clone(), state.connections.clone());
    // A catalog tool, or one of the app's own APIs (imported from an OpenAPI document).
    let connector = match runner.app_connector(server.app.id, connector_id).await {
        Ok(c) => c,
        Err(ActionError::Store(e)) => return Err(internal(e)),
        Err(_) => {
            let message = format!("there is no tool '{connector_id}': search_tools finds the action for a task");
            return Ok(Called::refused(None, &message));
        }
    };
    let connector = connector.as_ref();
    let owner = Some(connector.id.to_string());
    let Some(action) = connector.action(action_id) else {
        let ids: Vec<String> = connector.bound_actions().map(|a| format!("{}.{}", connector.id, a.id)).collect();
        let message = format!("{} has no action '{action_id}'; it has: {}", connector.name, ids.join(", "));
        return Ok(Called::refused(owner, &message));
    };
    let id = format!("{}.{}", connector.id, action.id);
    let rules = AgentRules::load(&state.store, server.app.id).await.map_err(internal)?;
    if rules.hides(&id) {
        return Ok(Called::refused(owner, &format!("The app's owner keeps {id} from agents.")));
    }
    let base = state.settings.public_url();
    let person = match person::acting_for(server, connector).await {
        Ok(person) => person,
        Err(e) => return person_refusal(e, owner),
    };
    // Authorization first: until a person connects the tool, nothing else matters.
    if action.is_bound() {
        let needed = match person {
            Some(person) => match person::needed(server, connector, action, person).await {
                Ok(needed) => needed,
                Err(e) => return person_refusal(e, owner),
            },
            None => {
                let row = state.store.shared_connection(server.app.id, connector.id.as_str()).await;
                let row = row.map_err(internal)?;
                if row.is_none() && person::for_app_users(server, connector).await.map_err(internal)? {
                    let message = format!(
                        "Each of this app's users connects their own {}: act for one of them with the \
                         X-Patchbay-As-User header (their id in the app).",
                        connector.name
                    );
                    return Ok(Called::refused(owner, &message));
                }
                authorize::needed(&base, server.app.id, connector, action, row.as_ref())
            }
        };
        if let Some(needed) = needed {
            return Ok(Called::needs(needed, &id));
        }
    }
    if rules.needs_confirmation(connector, action) {
        let name = format!("{}: {}", connector.name, action.name);
        if let Some(waiting) = confirm::gate(server, &id, &name, inputs).await.map_err(internal)? {
            return Ok(waiting);
        }
    }
    match runner.run_as(server.app.id, connector_id, action_id, inputs, person).await {
        Ok(outcome) => {
            let summary =
                if outcome.ok { "ok".to_owned() } else { format!("provider refused ({})", outcome.provider_status) };
            let value = serde_json::to_value(&outcome).unwrap_or(Value::Null);
            Ok(Called::answer(value, !outcome.ok, owner, summary))
        }
        // The connection changed between the check above and the run: look again.
        Err(e @ (ActionError::MissingPermission { .. } | ActionError::NoConnection(_))) => {
            let row = state.store.shared_connection(server.app.id, connector.id.as_str()).await.map_err(internal)?;
            let needed = authorize::needed(&base, server.app.id, connector, action, row.as_ref());
            Ok(needed.map_or_else(|| Called::refused(owner, &e.to_string()), |n| Called::needs(n, &id)))
        }
        Err(ActionError::Store(e)) => Err(internal(e)),
        Err(e) => Ok(Called::refused(owner, &e.to_string())),
    }
}

/// A failure to look up or link the person's connection: the store's is internal; the
/// rest (an owner's block) is told to the agent as a tool error.
fn person_refusal(e: AppUserError, owner: Option<String>) -> Result<Called, ErrorData> {
    match e {
        AppUserError::Store(s) => Err(internal(s)),
        other => Ok(Called::refused(owner, &other.to_string())),
    }
}
