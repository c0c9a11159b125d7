//! A stored custom API made into a catalog `Connector`, so that the action runner, input
//! checks, the proxy and flows treat it as they treat any connector. Built as the JSON a
//! catalog file would hold and read by the catalog's own model, so that the model's rules
//! (unknown keys refused) apply to it too.

use super::spec::{ApiSpec, AuthSpec, BodySpec, OperationSpec};
use crate::catalog::Connector;
use serde_json::{Map, Value, json};

pub fn connector(id: &str, spec: &ApiSpec) -> Result<Connector, serde_json::Error> {
    let (scheme, header, query) = match &spec.auth {
        AuthSpec::Bearer => ("Bearer", None, None),
        AuthSpec::Header { name } => ("", Some(name.clone()), None),
        AuthSpec::Query { name } => ("", None, Some(name.clone())),
    };
    let mut api = json!({
        "base_url": spec.base_url,
        "auth_scheme": scheme,
        "error_message": ["/error/message", "/error_description", "/message", "/error", "/detail", "/title"],
    });
    if let Some(h) = header {
        api["auth_header"] = Value::String(h);
    }
    if let Some(q) = query {
        api["auth_query"] = Value::String(q);
    }
    let host = url::Url::parse(&spec.base_url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    serde_json::from_value(json!({
        "id": id,
        "name": spec.name,
        "category": "dev_tools",
        "description": format!("A custom API at {host}, imported from its OpenAPI document."),
        "popularity": 0,
        "example_prompts": [],
        "auth": {"kind": "api_key"},
        "api": api,
        "actions": spec.operations.iter().map(action).collect::<Vec<_>>(),
    }))
}

fn action(op: &OperationSpec) -> Value {
    let slot = |input: &String| Value::String(format!("{{{input}}}"));
    let pairs = |m: &std::collections::BTreeMap<String, String>| -> Map<String, Value> {
        m.iter().map(|(k, v)| (k.clone(), slot(v))).collect()
    };
    let mut step = json!({
        "method": op.method,
        "path": op.path,
        "query": pairs(&op.query),
        "headers": pairs(&op.headers),
    });
    match &op.body {
        Some(BodySpec::JsonFields { fields }) => step["json"] = Value::Object(pairs(fields)),
        // One placeholder keeps the value's own JSON shape; given as JSON text because the
        // model reads a string there as JSON.
        Some(BodySpec::Json { input }) => {
            step["json"] = Value::String(Value::String(format!("{{{input}}}")).to_string())
        }
        Some(BodySpec::Form { fields }) => step["form"] = Value::Object(pairs(fields)),
        None => {}
    }
    json!({
        "id": op.id,
        "name": op.name,
        "description": op.description,
        "capability": "code",
        "phrases": [],
        "inputs": op.inputs.iter().map(|i| json!({
            "name": i.name, "type": i.kind, "required": i.required, "description": i.description,
        })).collect::<Vec<_>>(),
        "call": [step],
    })
}
