//! A request body as a person reads it in the Sandbox outbox: JSON as it is, a form as an
//! object, a multipart body part by part, and an email wherever a provider takes one
//! encoded (Gmail's base64url RFC 2822 `raw`) decoded into its recipients, subject and
//! text.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};

/// Longest text kept from a body in the outbox.
const MAX_TEXT: usize = 20_000;

pub fn readable(content_type: &str, body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media == "application/x-www-form-urlencoded" {
        let form: Map<String, Value> =
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
        return Value::Object(form);
    }
    if media == "multipart/form-data"
        && let Some(boundary) = content_type.split("boundary=").nth(1)
    {
        return multipart(body, boundary.trim_matches('"'));
    }
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        expand_emails(&mut json);
        return json;
    }
    match std::str::from_utf8(body) {
        Ok(text) => json!({ "bytes": body.len(), "text": clip(text) }),
        Err(_) => json!({ "bytes": body.len(), "content_type": content_type }),
    }
}

/// Replaces every `raw` string that decodes to an email with the email read.
fn expand_emails(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if key == "raw"
                    && let Some(email) = item.as_str().and_then(email)
                {
                    *item = email;
                } else {
                    expand_emails(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(expand_emails),
        _ => {}
    }
}

fn decode_any(encoded: &str) -> Option<Vec<u8>> {
    let t = encoded.trim();
    URL_SAFE.decode(t).or_else(|_| URL_SAFE_NO_PAD.decode(t)).or_else(|_| STANDARD.decode(t)).ok()
}

/// An RFC 2822 message (base64url) as `{to, cc, bcc, subject, body}`.
pub fn email(encoded: &str) -> Option<Value> {
    let message = String::from_utf8(decode_any(encoded)?).ok()?;
    let (head, body) = message.split_once("\r\n\r\n").or_else(|| message.split_once("\n\n"))?;
    let mut out = Map::new();
    let mut encoding = String::new();
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "to" => out.insert("to".into(), json!(value)),
            "cc" => out.insert("cc".into(), json!(value)),
            "bcc" => out.insert("bcc".into(), json!(value)),
            "subject" => out.insert("subject".into(), json!(encoded_words(value))),
            "content-transfer-encoding" => {
                encoding = value.to_ascii_lowercase();
                None
            }
            _ => None,
        };
    }
    if !out.contains_key("to") {
        return None;
    }
    let text = if encoding == "base64" {
        let joined: String = body.split_whitespace().collect();
        STANDARD.decode(joined).ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_else(|| body.to_owned())
    } else {
        body.to_owned()
    };
    out.insert("body".into(), Value::String(clip(&text)));
    Some(Value::Object(out))
}

/// RFC 2047 `=?UTF-8?B?…?=` words decoded; anything else kept.
fn encoded_words(value: &str) -> String {
    value
        .split(' ')
        .map(|word| {
            word.strip_prefix("=?UTF-8?B?")
                .or_else(|| word.strip_prefix("=?utf-8?B?"))
                .and_then(|w| w.strip_suffix("?="))
                .and_then(|b| STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_else(|| word.to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn multipart(body: &[u8], boundary: &str) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut parts = Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else { continue };
        let Some(name) = attribute(head, "name") else { continue };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let value = match attribute(head, "filename") {
            Some(file) => json!({ "file": file, "bytes": content.len(), "text": clip(content) }),
            None => serde_json::from_str(content).unwrap_or_else(|_| Value::String(clip(content))),
        };
        parts.insert(name, value);
    }
    Value::Object(parts)
}

fn attribute(head: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = head.find(&needle)? + needle.len();
    let len = head[start..].find('"')?;
    Some(head[start..start + len].to_owned())
}

fn clip(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut end = MAX_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gmail_raw_message_reads_as_an_email() {
        let inputs = json!({"to": "ada@example.com", "subject": "Café tasks", "body": "Two left."});
        let raw = crate::actions::mime::raw_message(inputs.as_object().unwrap()).unwrap();
        let read = readable("application/json", json!({ "raw": raw }).to_string().as_bytes());
        assert_eq!(read["raw"], json!({"to": "ada@example.com", "subject": "Café tasks", "body": "Two left."}));
    }

    #[test]
    fn forms_and_multipart_bodies_read_as_objects() {
        assert_eq!(
            readable("application/x-www-form-urlencoded", b"channel=C1&text=hi+there"),
            json!({"channel": "C1", "text": "hi there"})
        );
        let body = "--b\r\nContent-Disposition: form-data; name=\"attributes\"\r\n\r\n{\"name\":\"a.txt\"}\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n";
        let read = readable("multipart/form-data; boundary=b", body.as_bytes());
        assert_eq!(read["attributes"]["name"], "a.txt");
        assert_eq!(read["file"]["text"], "hello");
    }
}
