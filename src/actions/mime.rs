//! `{=mime}`: an RFC 2822 message built from an action's `to`, `cc`, `bcc`, `subject` and
//! `body` inputs, base64url-encoded, as Gmail's `messages.send` and `drafts.create` take it
//! in `raw`. Header values never carry a line break (the inputs are one-line already; this
//! refuses again), and non-ASCII subjects are RFC 2047 encoded words.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use serde_json::{Map, Value};

/// The message, base64url, or why it cannot be built.
pub fn raw_message(inputs: &Map<String, Value>) -> Result<String, String> {
    Ok(URL_SAFE.encode(message(inputs)?))
}

pub fn message(inputs: &Map<String, Value>) -> Result<String, String> {
    let field = |name: &str| inputs.get(name).map(crate::catalog::template::text_of).filter(|s| !s.is_empty());
    let mut out = String::new();
    for (header, name) in [("To", "to"), ("Cc", "cc"), ("Bcc", "bcc")] {
        if let Some(value) = field(name) {
            out.push_str(&format!("{header}: {}\r\n", one_line(name, &value)?));
        }
    }
    if out.is_empty() {
        return Err("a message needs a recipient (to)".into());
    }
    let subject = field("subject").unwrap_or_default();
    out.push_str(&format!("Subject: {}\r\n", encoded_word(&one_line("subject", &subject)?)));
    let body = field("body").unwrap_or_default();
    let kind = if looks_like_html(&body) { "html" } else { "plain" };
    out.push_str("MIME-Version: 1.0\r\n");
    out.push_str(&format!("Content-Type: text/{kind}; charset=\"UTF-8\"\r\n"));
    out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    let encoded = STANDARD.encode(body.as_bytes());
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str("\r\n");
    }
    Ok(out)
}

fn one_line(name: &str, value: &str) -> Result<String, String> {
    if value.contains(['\r', '\n']) {
        return Err(format!("{name} cannot contain a line break"));
    }
    Ok(value.to_owned())
}

/// RFC 2047: ASCII stays as it is; anything else becomes `=?UTF-8?B?…?=`.
fn encoded_word(text: &str) -> String {
    if text.is_ascii() { text.to_owned() } else { format!("=?UTF-8?B?{}?=", STANDARD.encode(text.as_bytes())) }
}

fn looks_like_html(body: &str) -> bool {
    let t = body.trim_start();
    t.starts_with('<') && t.contains("</")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inputs(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_message_carries_its_headers_and_a_base64_body() {
        let m = message(&inputs(
            json!({"to": "ada@example.com", "cc": "b@x.io", "subject": "Open tasks", "body": "Two left."}),
        ))
        .unwrap();
        assert!(m.starts_with("To: ada@example.com\r\nCc: b@x.io\r\nSubject: Open tasks\r\n"), "{m}");
        assert!(m.contains("Content-Type: text/plain; charset=\"UTF-8\""));
        assert!(m.ends_with(&format!("\r\n\r\n{}\r\n", STANDARD.encode("Two left."))));
        let raw = raw_message(&inputs(json!({"to": "a@b.io", "subject": "s", "body": "<p>hi</p>"}))).unwrap();
        let decoded = String::from_utf8(URL_SAFE.decode(raw).unwrap()).unwrap();
        assert!(decoded.contains("text/html"));
    }

    #[test]
    fn a_subject_outside_ascii_is_an_encoded_word_and_line_breaks_are_refused() {
        let m = message(&inputs(json!({"to": "a@b.io", "subject": "Café", "body": ""}))).unwrap();
        assert!(m.contains("Subject: =?UTF-8?B?Q2Fmw6k=?="), "{m}");
        assert!(message(&inputs(json!({"to": "a@b.io\r\nBcc: x@y.io", "subject": "s"}))).is_err());
        assert!(message(&inputs(json!({"subject": "s"}))).is_err());
    }
}
