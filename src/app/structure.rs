//! The builder's app as the chat and `patchbay route` receive it (DESIGN.md, "App
//! structure"): every key optional, a field either a string or an object. Parsed by hand
//! from JSON so that a wrong shape gets an error that names the exact place.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AppStructure {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub pages: Vec<String>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub flows: Vec<Named>,
    #[serde(default)]
    pub functions: Vec<Named>,
    /// Connector ids the app already has.
    #[serde(default)]
    pub connected: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A flow or backend function the app already has: its name and, when given, what it does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("app structure: {path}: {problem}")]
pub struct StructureError {
    pub path: String,
    pub problem: String,
}

fn wrong(path: &str, problem: impl Into<String>) -> StructureError {
    StructureError { path: path.to_owned(), problem: problem.into() }
}

impl AppStructure {
    pub fn parse_json(text: &str) -> Result<Self, StructureError> {
        let value: Value = serde_json::from_str(text).map_err(|e| wrong("app", format!("not valid JSON ({e})")))?;
        Self::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Self, StructureError> {
        let Value::Object(map) = value else {
            return Err(wrong("app", format!("expected an object, found {}", kind_of(value))));
        };
        let mut app = AppStructure::default();
        for (key, v) in map {
            let path = format!("app.{key}");
            match key.as_str() {
                "name" => app.name = Some(string(v, &path)?),
                "pages" => app.pages = list(v, &path, |item, p| named(item, p).map(|n| n.name))?,
                "entities" => app.entities = list(v, &path, entity)?,
                "flows" => app.flows = list(v, &path, named)?,
                "functions" => app.functions = list(v, &path, named)?,
                "connected" => app.connected = list(v, &path, string)?,
                // Unknown keys are tolerated: builders' tools send more than patchbay reads.
                _ => {}
            }
        }
        Ok(app)
    }

    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name.eq_ignore_ascii_case(name))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

impl Entity {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn string(v: &Value, path: &str) -> Result<String, StructureError> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Value::String(_) => Err(wrong(path, "is empty")),
        other => Err(wrong(path, format!("expected a string, found {}", kind_of(other)))),
    }
}

fn list<T>(
    v: &Value,
    path: &str,
    item: impl Fn(&Value, &str) -> Result<T, StructureError>,
) -> Result<Vec<T>, StructureError> {
    match v {
        Value::Array(items) => items.iter().enumerate().map(|(i, x)| item(x, &format!("{path}[{i}]"))).collect(),
        Value::Null => Ok(Vec::new()),
        other => Err(wrong(path, format!("expected a list, found {}", kind_of(other)))),
    }
}

/// A string, or an object with a `name` (and optionally a `description`).
fn named(v: &Value, path: &str) -> Result<Named, StructureError> {
    match v {
        Value::String(_) => Ok(Named { name: string(v, path)?, description: String::new() }),
        Value::Object(map) => {
            let name = map.get("name").ok_or_else(|| wrong(path, "an object here needs a \"name\""))?;
            let description = match map.get("description") {
                Some(d) => string(d, &format!("{path}.description"))?,
                None => String::new(),
            };
            Ok(Named { name: string(name, &format!("{path}.name"))?, description })
        }
        other => Err(wrong(path, format!("expected a string or an object with a name, found {}", kind_of(other)))),
    }
}

fn entity(v: &Value, path: &str) -> Result<Entity, StructureError> {
    match v {
        Value::String(_) => Ok(Entity { name: string(v, path)?, fields: Vec::new() }),
        Value::Object(map) => {
            let name = map.get("name").ok_or_else(|| wrong(path, "an entity needs a \"name\""))?;
            let fields = match map.get("fields") {
                Some(f) => list(f, &format!("{path}.fields"), field)?,
                None => Vec::new(),
            };
            Ok(Entity { name: string(name, &format!("{path}.name"))?, fields })
        }
        other => Err(wrong(path, format!("expected an entity object, found {}", kind_of(other)))),
    }
}

fn field(v: &Value, path: &str) -> Result<Field, StructureError> {
    match v {
        Value::String(_) => Ok(Field { name: string(v, path)?, kind: None }),
        Value::Object(map) => {
            let name = map.get("name").ok_or_else(|| wrong(path, "a field object needs a \"name\""))?;
            let kind = match map.get("type") {
                Some(t) => Some(string(t, &format!("{path}.type"))?),
                None => None,
            };
            Ok(Field { name: string(name, &format!("{path}.name"))?, kind })
        }
        other => Err(wrong(path, format!("expected a field name or object, found {}", kind_of(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_may_be_strings_or_objects() {
        let app = AppStructure::from_value(&json!({
            "name": "Todo",
            "pages": ["Tasks", {"name": "Dashboard"}],
            "entities": [{"name": "Task", "fields": ["title", {"name": "due_date", "type": "date"}]}],
            "connected": ["gmail"]
        }))
        .unwrap();
        assert_eq!(app.pages, vec!["Tasks", "Dashboard"]);
        let task = app.entity("task").unwrap();
        assert_eq!(task.field("due_date").unwrap().kind.as_deref(), Some("date"));
        assert_eq!(task.field("title").unwrap().kind, None);
        assert_eq!(app.connected, vec!["gmail"]);
    }

    #[test]
    fn every_key_is_optional() {
        assert_eq!(AppStructure::from_value(&json!({})).unwrap(), AppStructure::default());
    }

    #[test]
    fn a_wrong_shape_is_reported_with_its_exact_place() {
        let err = AppStructure::from_value(&json!({"entities": [{"name": "Task", "fields": ["a", 3]}]})).unwrap_err();
        assert_eq!(err.path, "app.entities[0].fields[1]");
        let err = AppStructure::from_value(&json!(["not", "an", "object"])).unwrap_err();
        assert!(err.to_string().contains("expected an object"), "{err}");
        let err = AppStructure::from_value(&json!({"pages": "Tasks"})).unwrap_err();
        assert!(err.to_string().contains("app.pages: expected a list"), "{err}");
    }
}
