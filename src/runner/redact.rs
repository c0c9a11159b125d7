//! What a run keeps of a step's inputs and outputs: secrets and tokens replaced, long
//! text and long lists cut, so the run page is readable and the database never holds a
//! credential.

use serde_json::{Map, Value, json};

const MAX_TEXT: usize = 2000;
const MAX_ITEMS: usize = 50;

fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "authorization", "api_key", "apikey", "cookie", "signature"]
        .iter()
        .any(|s| k.contains(s))
}

pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), if secret_key(k) { json!("[redacted]") } else { redact(v) }))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) if items.len() > MAX_ITEMS => {
            let mut kept: Vec<Value> = items[..MAX_ITEMS].iter().map(redact).collect();
            kept.push(json!(format!("… and {} more", items.len() - MAX_ITEMS)));
            Value::Array(kept)
        }
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(s) if s.chars().count() > MAX_TEXT => {
            let kept: String = s.chars().take(MAX_TEXT).collect();
            json!(format!("{kept}… ({} more characters)", s.chars().count() - MAX_TEXT))
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_secrets_never_stay_and_long_values_are_cut() {
        let kept = redact(&json!({
            "to": "ada@example.com",
            "access_token": "ya29.secret",
            "headers": {"Authorization": "Bearer x"},
            "body": "x".repeat(5000),
            "rows": (0..80).collect::<Vec<_>>()
        }));
        assert_eq!(kept["to"], "ada@example.com");
        assert_eq!(kept["access_token"], "[redacted]");
        assert_eq!(kept["headers"]["Authorization"], "[redacted]");
        assert!(kept["body"].as_str().unwrap().ends_with("(3000 more characters)"));
        assert_eq!(kept["rows"].as_array().unwrap().len(), 51);
    }
}
