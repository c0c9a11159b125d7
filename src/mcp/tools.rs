//! The tools an app's MCP server lists: the two meta-tools, and each runnable action of the
//! app's connected tools with a JSON Schema built from the catalog's inputs. The list stays
//! small on purpose: an agent finds the rest of the catalog through `search_tools`.

use super::rules::{AgentRules, action_id, reads_only};
use crate::catalog::{Catalog, Connector, Input, InputKind, Operation};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};

pub const SEARCH: &str = "search_tools";
pub const EXECUTE: &str = "execute";

/// Between connector and action in a tool's name. Not the catalog's dot: several MCP
/// clients (and the model APIs behind them) accept only letters, digits, `_` and `-`.
const SEPARATOR: &str = "__";

/// `gmail__send_email` for the catalog's `gmail.send_email`.
pub fn tool_name(connector: &Connector, action: &Operation) -> String {
    format!("{}{SEPARATOR}{}", connector.id, action.id)
}

/// The connector and action a target names, written either way: `gmail.send_email` (as the
/// App API and `search_tools` spell it) or `gmail__send_email` (a tool's name).
pub fn split_target(target: &str) -> Option<(&str, &str)> {
    let target = target.trim();
    let (connector, action) = target.split_once(SEPARATOR).or_else(|| target.split_once('.'))?;
    (!connector.is_empty() && !action.is_empty()).then_some((connector, action))
}

/// The action's inputs as a JSON Schema object. Values the action API normalises (a list
/// given as text, a number as a string) are still described by their natural type, so a
/// model sends the natural one.
pub fn input_schema(action: &Operation) -> JsonObject {
    let properties: serde_json::Map<String, Value> =
        action.inputs.iter().map(|i| (i.name.clone(), property(i))).collect();
    let required: Vec<&str> = action.inputs.iter().filter(|i| i.required).map(|i| i.name.as_str()).collect();
    let schema = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    as_object(schema)
}

fn property(input: &Input) -> Value {
    let mut p = match input.kind {
        InputKind::String | InputKind::Text | InputKind::Channel | InputKind::User => json!({"type": "string"}),
        InputKind::Email => {
            json!({"type": "string", "description": "One email address, or several separated by commas"})
        }
        InputKind::Number => json!({"type": "number"}),
        InputKind::Boolean => json!({"type": "boolean"}),
        InputKind::Date => json!({"type": "string", "format": "date"}),
        InputKind::Datetime => json!({"type": "string", "format": "date-time"}),
        InputKind::Url => json!({"type": "string", "format": "uri"}),
        InputKind::List => json!({"type": "array", "items": {"type": "string"}}),
        InputKind::Json => json!({}),
        InputKind::File => json!({
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "content": {"type": "string", "description": "The file's text"},
                "content_base64": {"type": "string", "description": "The file's bytes, base64"},
                "mime_type": {"type": "string"},
            },
            "required": ["name"],
        }),
    };
    if !input.description.is_empty() {
        let own = p.get("description").and_then(Value::as_str).map(str::to_owned);
        let text = match own {
            Some(hint) => format!("{} ({})", input.description, hint.to_lowercase()),
            None => input.description.clone(),
        };
        p["description"] = Value::String(text);
    }
    p
}

fn as_object(v: Value) -> JsonObject {
    match v {
        Value::Object(m) => m,
        _ => JsonObject::new(),
    }
}

/// `search_tools` and `execute`: always listed, whatever the app has connected.
pub fn meta_tools() -> Vec<Tool> {
    let search = as_object(json!({
        "type": "object",
        "properties": {
            "task": {"type": "string", "description": "What to do, in plain words, e.g. 'post the weekly numbers to the team channel'"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 20, "description": "How many actions at most (default 5)"},
        },
        "required": ["task"],
        "additionalProperties": false,
    }));
    let execute = as_object(json!({
        "type": "object",
        "properties": {
            "action": {"type": "string", "description": "The action's id as search_tools gives it, e.g. gmail.send_email"},
            "inputs": {"type": "object", "description": "The action's inputs, as its input_schema describes them"},
        },
        "required": ["action"],
        "additionalProperties": false,
    }));
    vec![
        Tool::new(
            SEARCH,
            "Find the actions that do a task, across every tool patchbay knows. Each result has its \
             input schema and says whether this app has the tool connected with the permissions it needs.",
            search,
        )
        .with_title("Search tools")
        .with_annotations(ToolAnnotations::with_title("Search tools").read_only(true).open_world(false)),
        Tool::new(
            EXECUTE,
            "Run one action (an id from search_tools) with its inputs, through this app's connection. \
             When the tool is not connected, or lacks a permission, the answer links to the page where \
             a person connects it.",
            execute,
        )
        .with_title("Run an action")
        .with_annotations(ToolAnnotations::with_title("Run an action").open_world(true)),
    ]
}

/// One runnable action as its own tool.
pub fn action_tool(connector: &Connector, action: &Operation) -> Tool {
    let title = format!("{}: {}", connector.name, action.name);
    let annotations =
        ToolAnnotations::with_title(title.clone()).read_only(reads_only(connector, action)).open_world(true);
    Tool::new(
        tool_name(connector, action),
        format!("{} ({})", action.description, connector.name),
        input_schema(action),
    )
    .with_title(title)
    .with_annotations(annotations)
}

/// What `tools/list` answers: the meta-tools, then, in catalog order, each runnable action
/// of the connected tools and each pinned one, less the hidden ones.
pub fn listed(catalog: &Catalog, connected: &[String], rules: &AgentRules) -> Vec<Tool> {
    let mut tools = meta_tools();
    for connector in catalog.iter() {
        let is_connected = connected.iter().any(|id| id == connector.id.as_str());
        let shown = connector.bound_actions().filter(|a| {
            let id = action_id(connector, a);
            !rules.hides(&id) && (is_connected || rules.pins(&id))
        });
        tools.extend(shown.map(|a| action_tool(connector, a)));
    }
    tools
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_read_with_a_dot_or_with_the_tool_separator() {
        assert_eq!(split_target("gmail.send_email"), Some(("gmail", "send_email")));
        assert_eq!(split_target("slack_bot__post_message"), Some(("slack_bot", "post_message")));
        assert_eq!(split_target(" google_sheets.append_row "), Some(("google_sheets", "append_row")));
        assert_eq!(split_target("gmail"), None);
        assert_eq!(split_target(".send_email"), None);
        assert_eq!(split_target("gmail."), None);
    }

    #[test]
    fn an_actions_schema_names_its_inputs_and_the_required_ones() {
        let catalog = Catalog::embedded().unwrap();
        let gmail = catalog.get("gmail").unwrap();
        let send = gmail.action("send_email").unwrap();
        let schema = Value::Object(input_schema(send));
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["to", "subject", "body"]));
        assert_eq!(schema["properties"]["subject"]["type"], "string");
        assert!(schema["properties"]["to"]["description"].as_str().unwrap().contains("comma"));
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(tool_name(gmail, send), "gmail__send_email");
    }

    #[test]
    fn only_connected_tools_add_their_actions_to_the_list() {
        let catalog = Catalog::embedded().unwrap();
        let none = AgentRules::default();
        let bare = listed(&catalog, &[], &none);
        assert_eq!(bare.iter().map(|t| t.name.as_ref()).collect::<Vec<_>>(), [SEARCH, EXECUTE]);
        let with_gmail = listed(&catalog, &["gmail".to_owned()], &none);
        let bound = catalog.get("gmail").unwrap().bound_actions().count();
        assert_eq!(with_gmail.len(), 2 + bound);
        assert!(with_gmail.iter().all(|t| t.name.len() <= 64 && !t.name.contains('.')));
        let search = with_gmail.iter().find(|t| t.name == "gmail__search_emails").unwrap();
        assert_eq!(search.annotations.as_ref().and_then(|a| a.read_only_hint), Some(true));
    }

    #[test]
    fn a_pinned_action_is_listed_unconnected_and_a_hidden_one_never() {
        let catalog = Catalog::embedded().unwrap();
        let mut rules = AgentRules::default();
        rules.pinned.insert("slack.post_message".into());
        rules.hidden.insert("gmail.send_email".into());
        let names: Vec<String> =
            listed(&catalog, &["gmail".to_owned()], &rules).iter().map(|t| t.name.to_string()).collect();
        assert!(names.contains(&"slack__post_message".to_owned()), "{names:?}");
        assert!(!names.contains(&"gmail__send_email".to_owned()), "{names:?}");
        assert!(names.contains(&"gmail__search_emails".to_owned()), "{names:?}");
    }
}
