//! An action's inputs, checked against what the catalog declares before anything is sent:
//! a wrong field is named in the answer, not discovered by the provider. Values are
//! normalised on the way (a list given as text becomes a list, `"3"` for a number becomes
//! 3), so bindings see one shape per type.

use crate::catalog::{Input, InputKind, Operation, filters};
use chrono::{DateTime, NaiveDate};
use serde_json::{Map, Value};

/// Largest file an action takes, decoded (the API body limit bounds it first).
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What is wrong with one input; `field` is `inputs.<name>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: String,
    pub message: String,
}

fn wrong(name: &str, message: impl Into<String>) -> InputError {
    InputError { field: format!("inputs.{name}"), message: message.into() }
}

/// The inputs, checked and normalised. Optional inputs given as `null` or `""` count as
/// not given.
pub fn check(action: &Operation, given: &Value) -> Result<Map<String, Value>, InputError> {
    let empty = Map::new();
    let given = match given {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => return Err(InputError { field: "inputs".into(), message: "must be an object of input: value".into() }),
    };
    for name in given.keys() {
        if !action.inputs.iter().any(|i| &i.name == name) {
            let takes: Vec<&str> = action.inputs.iter().map(|i| i.name.as_str()).collect();
            return Err(wrong(name, format!("is not an input of '{}' (it takes: {})", action.name, takes.join(", "))));
        }
    }
    let mut out = Map::new();
    for input in &action.inputs {
        let value = given.get(&input.name).filter(|v| !is_blank(v));
        match value {
            Some(v) => {
                out.insert(input.name.clone(), normalise(input, v)?);
            }
            None if input.required => {
                let what =
                    if input.description.is_empty() { String::new() } else { format!(" ({})", input.description) };
                return Err(wrong(&input.name, format!("is required{what}")));
            }
            None => {}
        }
    }
    Ok(out)
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn normalise(input: &Input, v: &Value) -> Result<Value, InputError> {
    let name = input.name.as_str();
    let text = || -> Result<String, InputError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(wrong(name, "must be text")),
        }
    };
    Ok(match input.kind {
        InputKind::String | InputKind::Channel | InputKind::User => {
            let s = text()?;
            if s.contains(['\r', '\n']) {
                return Err(wrong(name, "must be one line"));
            }
            Value::String(s)
        }
        InputKind::Text => Value::String(text()?),
        InputKind::Email => Value::String(emails(name, v)?.join(", ")),
        InputKind::Number => number(name, v)?,
        InputKind::Boolean => boolean(name, v)?,
        InputKind::Date => {
            let s = text()?;
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| wrong(name, format!("'{s}' is not a date like 2026-05-01")))?;
            Value::String(s.trim().to_owned())
        }
        InputKind::Datetime => {
            let s = text()?;
            DateTime::parse_from_rfc3339(s.trim())
                .map_err(|_| wrong(name, format!("'{s}' is not an RFC 3339 date-time like 2026-05-01T09:00:00Z")))?;
            Value::String(s.trim().to_owned())
        }
        InputKind::Url => {
            let s = text()?;
            let ok =
                url::Url::parse(s.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(wrong(name, format!("'{s}' is not an http(s) URL")));
            }
            Value::String(s.trim().to_owned())
        }
        InputKind::List => match v {
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => v.clone(),
            Value::Array(_) => return Err(wrong(name, "must be a list of plain values")),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                filters::apply("list", v.clone()).map_err(|e| wrong(name, e))?
            }
            _ => return Err(wrong(name, "must be a list")),
        },
        InputKind::Json => match v {
            Value::String(s) => serde_json::from_str(s).map_err(|e| wrong(name, format!("is not valid JSON: {e}")))?,
            other => other.clone(),
        },
        InputKind::File => file(name, v)?,
    })
}

/// One or more addresses, as a list or as text separated by commas.
fn emails(name: &str, v: &Value) -> Result<Vec<String>, InputError> {
    let list = filters::apply("list", v.clone()).map_err(|e| wrong(name, e))?;
    let addresses: Vec<String> =
        list.as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_owned)).collect();
    if addresses.is_empty() {
        return Err(wrong(name, "needs an email address"));
    }
    for a in &addresses {
        let well_formed =
            a.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.contains('@')
            }) && !a.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'));
        if !well_formed {
            return Err(wrong(name, format!("'{a}' is not an email address")));
        }
    }
    Ok(addresses)
}

fn number(name: &str, v: &Value) -> Result<Value, InputError> {
    match v {
        Value::Number(_) => Ok(v.clone()),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<i64>() {
                return Ok(Value::from(n));
            }
            s.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| wrong(name, format!("'{s}' is not a number")))
        }
        _ => Err(wrong(name, "must be a number")),
    }
}

fn boolean(name: &str, v: &Value) -> Result<Value, InputError> {
    match v {
        Value::Bool(_) => Ok(v.clone()),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "off" | "0" => Ok(Value::Bool(false)),
            _ => Err(wrong(name, format!("'{s}' is not true or false"))),
        },
        _ => Err(wrong(name, "must be true or false")),
    }
}

/// `{"name", "content"}` for text, `{"name", "content_base64"}` for anything else, and an
/// optional `mime_type`.
fn file(name: &str, v: &Value) -> Result<Value, InputError> {
    let obj = v.as_object().ok_or_else(|| wrong(name, "must be {\"name\", \"content\" or \"content_base64\"}"))?;
    let file_name = obj.get("name").and_then(Value::as_str).unwrap_or_default();
    if file_name.trim().is_empty() || file_name.contains(['/', '\\', '\r', '\n', '\0']) {
        return Err(wrong(name, "needs a file name without slashes"));
    }
    let bytes = filters::file_bytes(v).map_err(|e| wrong(name, e))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(wrong(name, format!("is larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)));
    }
    if let Some(mime) = obj.get("mime_type") {
        let ok = mime.as_str().is_some_and(|m| m.contains('/') && !m.contains(['\r', '\n']));
        if !ok {
            return Err(wrong(name, "mime_type is not a media type like text/plain"));
        }
    }
    Ok(v.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use serde_json::json;

    fn gmail_send() -> Operation {
        Catalog::embedded().unwrap().get("gmail").unwrap().action("send_email").unwrap().clone()
    }

    #[test]
    fn the_wrong_field_is_named() {
        let send = gmail_send();
        let err = check(&send, &json!({"to": "not-an-address", "subject": "s", "body": "b"})).unwrap_err();
        assert_eq!(err.field, "inputs.to");
        assert!(err.message.contains("not-an-address"), "{err}");
        let err = check(&send, &json!({"to": "a@b.io", "body": "b"})).unwrap_err();
        assert_eq!(err.to_string(), "inputs.subject: is required (Subject line)");
        let err = check(&send, &json!({"to": "a@b.io", "subject": "s", "body": "b", "bcc": "x"})).unwrap_err();
        assert!(err.to_string().starts_with("inputs.bcc: is not an input"), "{err}");
        let err = check(&send, &json!({"to": "a@b.io", "subject": "s\r\nBcc: x@y.io", "body": "b"})).unwrap_err();
        assert_eq!(err.field, "inputs.subject", "a header cannot be smuggled in");
    }

    #[test]
    fn values_are_normalised_to_one_shape_per_type() {
        let send = gmail_send();
        let ok = check(&send, &json!({"to": ["a@b.io", "c@d.io"], "subject": "s", "body": "b", "cc": ""})).unwrap();
        assert_eq!(ok["to"], "a@b.io, c@d.io");
        assert!(!ok.contains_key("cc"), "an empty optional input is not given");
        let input = |kind: InputKind| Input { name: "x".into(), kind, required: true, description: String::new() };
        assert_eq!(normalise(&input(InputKind::Number), &json!("42")).unwrap(), json!(42));
        assert_eq!(normalise(&input(InputKind::Boolean), &json!("on")).unwrap(), json!(true));
        assert_eq!(normalise(&input(InputKind::List), &json!("a, b")).unwrap(), json!(["a", "b"]));
        assert_eq!(normalise(&input(InputKind::Json), &json!("{\"a\": 1}")).unwrap(), json!({"a": 1}));
        assert!(normalise(&input(InputKind::Datetime), &json!("2026-05-01 09:00")).is_err());
        assert!(normalise(&input(InputKind::Url), &json!("file:///etc/passwd")).is_err());
        assert!(normalise(&input(InputKind::File), &json!({"name": "../x", "content": "hi"})).is_err());
    }
}
