//! Which flows use which connector, and with which scopes: what View access shows and what
//! Remove lists before it asks for confirmation.

use super::PageError;
use crate::http::AppState;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct FlowUse {
    pub flow_id: i64,
    pub flow_name: String,
    pub connector: String,
    pub scopes: Vec<String>,
}

pub async fn of_app(state: &AppState, app_id: i64) -> Result<Vec<FlowUse>, PageError> {
    let mut uses: Vec<FlowUse> = Vec::new();
    for flow in state.store.flows_of_app(app_id).await? {
        let Some(version) = state.store.flow_version(flow.id, flow.version).await? else { continue };
        let Ok(definition) = serde_json::from_str::<Value>(&version.definition) else { continue };
        let mut found: Vec<(String, Vec<String>)> = Vec::new();
        walk(&definition, &mut found);
        for (connector, scopes) in found {
            match uses.iter_mut().find(|u| u.flow_id == flow.id && u.connector == connector) {
                Some(u) => u.scopes.extend(scopes.into_iter().filter(|s| !u.scopes.contains(s)).collect::<Vec<_>>()),
                None => uses.push(FlowUse { flow_id: flow.id, flow_name: flow.name.clone(), connector, scopes }),
            }
        }
    }
    Ok(uses)
}

/// Every object in the definition that names a connector, with the scopes it lists.
fn walk(v: &Value, out: &mut Vec<(String, Vec<String>)>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(c)) = map.get("connector") {
                let scopes = map
                    .get("scopes")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                out.push((c.clone(), scopes));
            }
            map.values().for_each(|x| walk(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| walk(x, out)),
        _ => {}
    }
}
