//! docs/flow-schema.json against the Rust types: serialized flows must validate, and a
//! definition with every optional field set must too (with `additionalProperties: false`
//! everywhere, that means the schema names every field the types write). The checker
//! below covers the subset of JSON Schema the file uses.

use super::definition::*;
use regex::Regex;
use serde_json::{Value, json};
use std::sync::LazyLock;

pub static SCHEMA: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(include_str!("../../docs/flow-schema.json")).expect("the schema parses"));

/// Every way `value` breaks the schema, each with its JSON path.
pub fn violations(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(&SCHEMA, value, "$", &mut out);
    out
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("unsupported $ref {r}"));
            resolve(&SCHEMA["$defs"][name])
        }
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        other => panic!("unsupported type {other}"),
    }
}

fn check(schema: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    let schema = resolve(schema);
    let known = [
        "$schema",
        "$id",
        "title",
        "description",
        "examples",
        "default",
        "$ref",
        "type",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "oneOf",
        "const",
        "enum",
        "pattern",
        "minItems",
        "minLength",
        "minimum",
        "$defs",
    ];
    if let Some(map) = schema.as_object() {
        for key in map.keys() {
            assert!(known.contains(&key.as_str()), "the test's checker does not know the keyword {key}");
        }
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str)
        && !type_ok(t, v)
    {
        out.push(format!("{path}: expected {t}, found {v}"));
        return;
    }
    if let Some(c) = schema.get("const")
        && c != v
    {
        out.push(format!("{path}: expected {c}, found {v}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(v)
    {
        out.push(format!("{path}: {v} is not one of {options:?}"));
    }
    if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Value::as_str), v.as_str())
        && !Regex::new(p).expect("pattern").is_match(s)
    {
        out.push(format!("{path}: '{s}' does not match {p}"));
    }
    if let (Some(n), Some(s)) = (schema.get("minLength").and_then(Value::as_u64), v.as_str())
        && (s.chars().count() as u64) < n
    {
        out.push(format!("{path}: shorter than {n}"));
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let passing = options
            .iter()
            .filter(|o| {
                let mut errs = Vec::new();
                check(o, v, path, &mut errs);
                errs.is_empty()
            })
            .count();
        if passing != 1 {
            out.push(format!("{path}: matches {passing} of the oneOf options, not exactly one"));
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(n) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < n
        {
            out.push(format!("{path}: fewer than {n} items"));
        }
        if let Some(item) = schema.get("items") {
            for (i, x) in items.iter().enumerate() {
                check(item, x, &format!("{path}[{i}]"), out);
            }
        }
    }
    if let Some(map) = v.as_object() {
        for req in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let key = req.as_str().expect("required names");
            if !map.contains_key(key) {
                out.push(format!("{path}: missing '{key}'"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, x) in map {
            match (props.and_then(|p| p.get(k)), schema.get("additionalProperties")) {
                (Some(p), _) => check(p, x, &format!("{path}.{k}"), out),
                (None, Some(Value::Bool(false))) => out.push(format!("{path}: '{k}' is not in the schema")),
                (None, Some(extra)) => check(extra, x, &format!("{path}.{k}"), out),
                (None, None) => {}
            }
        }
    }
}

/// A definition with every optional field the types have, set.
fn everything() -> FlowDefinition {
    FlowDefinition::from_json(
        &json!({
            "format": FORMAT, "name": "All fields", "source_message_id": 12, "request": "do it all",
            "trigger": {"kind": "entity_event", "entity": "Task", "change": "field_changed", "field": "completed",
                        "to": true, "filter": [{"field": "title", "op": "is_not_empty"}]},
            "steps": [
                {"kind": "query", "id": "q", "entity": "Task", "filter": [{"field": "due_date", "op": "within_next", "value": "P1D"}],
                 "sort": {"field": "due_date", "order": "desc"}, "limit": 10},
                {"kind": "transform", "id": "t", "op": "render_list", "from": "{{steps.q.items}}", "fields": ["title"],
                 "heading": "Due", "empty": "Nothing due."},
                {"kind": "action", "id": "a", "operation": "gmail.send_email",
                 "connection": {"connector": "gmail", "kind": "app_user"},
                 "inputs": {"to": ["{{settings.to}}"], "subject": "Due", "body": "{{steps.t.text}}"},
                 "scopes": ["https://www.googleapis.com/auth/gmail.send"]},
                {"kind": "save", "id": "s", "entity": "Task", "values": {"title": "Follow up"}, "match_on": "title"}
            ],
            "settings": [{"name": "to", "label": "Who?", "type": "email", "value": "ada@example.com"}]
        })
        .to_string(),
    )
    .expect("a definition")
}

#[test]
fn the_schema_file_parses_and_names_every_trigger_and_step_kind() {
    let defs = SCHEMA["$defs"].as_object().expect("$defs");
    for kind in ["schedule_trigger", "entity_event_trigger", "connector_trigger", "button_trigger"] {
        assert!(defs.contains_key(kind), "{kind}");
    }
    for kind in ["query_step", "transform_step", "action_step", "save_step"] {
        assert!(defs.contains_key(kind), "{kind}");
    }
}

#[test]
fn a_definition_with_every_field_matches_the_schema() {
    let value: Value = serde_json::from_str(&everything().to_json()).unwrap();
    assert_eq!(violations(&value), Vec::<String>::new());
    for trigger in [
        json!({"kind": "schedule", "cron": "0 8 * * *", "time_zone": "UTC"}),
        json!({"kind": "connector", "operation": "gmail.new_email", "connection": {"connector": "gmail"},
               "config": {"label": "Invoices"}, "scopes": []}),
        json!({"kind": "button", "label": "Send update", "page": "Dashboard"}),
    ] {
        let mut v = value.clone();
        v["trigger"] = trigger;
        let def = FlowDefinition::from_json(&v.to_string()).expect("the types read it");
        let written: Value = serde_json::from_str(&def.to_json()).unwrap();
        assert_eq!(violations(&written), Vec::<String>::new(), "{}", v["trigger"]);
    }
}

#[test]
fn the_schema_refuses_what_the_types_refuse() {
    let value: Value = serde_json::from_str(&everything().to_json()).unwrap();
    let mut missing = value.clone();
    missing.as_object_mut().unwrap().remove("trigger");
    assert_eq!(violations(&missing), ["$: missing 'trigger'"]);
    let mut extra = value.clone();
    extra["steps"][0]["colour"] = json!("blue");
    assert!(!violations(&extra).is_empty());
    assert!(FlowDefinition::from_json(&extra.to_string()).is_err());
    let mut bad_kind = value;
    bad_kind["trigger"]["kind"] = json!("webhook");
    assert!(violations(&bad_kind)[0].contains("oneOf"));
}
