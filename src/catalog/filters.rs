//! Filters of the binding templates (`{attendees|emails}`): each turns an input into the
//! shape one provider documents, so that a provider's quirk is a word in its catalog file
//! rather than code of its own. Pure functions; a value they cannot read is an error.

use base64::Engine;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};

/// Every filter, with what it does (docs/actions.md lists them from here).
pub const FILTERS: [(&str, &str); 42] = [
    ("from_unix_ms", "Unix milliseconds (a number or its text) as an RFC 3339 time (Gmail's internalDate)"),
    ("linkedin_urn", "the URN in a LinkedIn post link (…/feed/update/urn:li:activity:1/), or the URN itself"),
    ("org_urn", "an organization id as urn:li:organization:<id>"),
    ("html_or_text", "HTML when the text looks like HTML, else Text (Microsoft Graph's contentType)"),
    ("incomplete_only", "false as \"now\" (Asana's completed_since for open tasks); true leaves the field out"),
    ("soql", "text inside a SOQL string literal, quotes and backslashes escaped"),
    ("notion_id", "the 32-hex id at the end of a Notion URL, or the id itself"),
    ("file_size", "a file's size in bytes"),
    ("default", "default:<text> stands in when the value is not given"),
    ("doc_id", "the id in a Google Docs, Sheets, Slides or Forms URL (/d/<id>/), or the id itself"),
    ("last_segment", "the part after the last '/' (properties/123 → 123)"),
    ("sheet_prefix", "a sheet name as the start of an A1 range ('Tasks'!), nothing for no name"),
    ("google_meet", "true as a Google Meet createRequest; false leaves the field out"),
    ("count", "the number of items in a list"),
    ("bq_fields", "{column: TYPE} as BigQuery schema fields"),
    ("list", "a list; text is split at commas and line breaks"),
    ("join", "a list joined with commas"),
    ("json", "the value as JSON text"),
    ("int", "a whole number"),
    ("string", "the value as text"),
    ("lower", "lowercase text"),
    ("upper", "uppercase text"),
    ("unix", "a date or date-time as Unix seconds"),
    ("unix_ms", "a date or date-time as Unix milliseconds"),
    ("date", "the date (YYYY-MM-DD) of a date-time"),
    ("utc", "a date-time in UTC without offset (Microsoft Graph's dateTime)"),
    ("midnight", "a date as an RFC 3339 time at midnight UTC (Google Tasks' due)"),
    ("named", "each item as {\"name\": item}"),
    ("emails", "each item as {\"email\": item}"),
    ("ids", "each item as {\"id\": item}"),
    ("recipients", "each address as Microsoft Graph's {\"emailAddress\": {\"address\"}}"),
    ("graph_attendees", "each address as a required Microsoft Graph attendee"),
    ("active_tags", "each tag as Mailchimp's {\"name\", \"status\": \"active\"}"),
    ("md5", "the MD5 of the lowercased text (Mailchimp's subscriber hash)"),
    ("adf", "text as an Atlassian Document Format document, one paragraph per blank-line block"),
    ("replace_all", "an object {find: replacement} as Google Docs/Slides replaceAllText requests"),
    ("rows", "an object or a list of objects as BigQuery insertAll rows"),
    ("priority", "urgent/high/normal/low as 1-4 (ClickUp)"),
    ("base64", "a file's content, base64"),
    ("file_name", "a file's name"),
    ("segments", "in a path: keeps '/' between encoded segments"),
    ("not", "the opposite of a yes/no value"),
];

pub fn is_known(name: &str) -> bool {
    name.starts_with("default:") || FILTERS.iter().any(|(n, _)| *n == name && n != &"default")
}

pub fn apply(name: &str, v: Value) -> Result<Value, String> {
    Ok(match name {
        "list" => Value::Array(items(&v)),
        "join" => Value::String(super::template::text_of(&v)),
        "json" => Value::String(v.to_string()),
        "int" => int(&v)?,
        "string" => Value::String(super::template::text_of(&v)),
        "lower" => Value::String(super::template::text_of(&v).to_lowercase()),
        "upper" => Value::String(super::template::text_of(&v).to_uppercase()),
        "unix" => json!(instant(&v)?.timestamp()),
        "unix_ms" => json!(instant(&v)?.timestamp_millis()),
        "from_unix_ms" => {
            let ms = int(&v)?.as_i64().ok_or("expected Unix milliseconds")?;
            Value::String(rfc3339(DateTime::from_timestamp_millis(ms).ok_or("the time is out of range")?))
        }
        "date" => Value::String(day(&v)?),
        "utc" => Value::String(instant(&v)?.format("%Y-%m-%dT%H:%M:%S").to_string()),
        "midnight" => Value::String(format!("{}T00:00:00.000Z", day(&v)?)),
        "named" => each(&v, |x| json!({ "name": x })),
        "emails" => each(&v, |x| json!({ "email": x })),
        "ids" => each(&v, |x| json!({ "id": x })),
        "recipients" => each(&v, |x| json!({ "emailAddress": { "address": x } })),
        "graph_attendees" => each(&v, |x| json!({ "emailAddress": { "address": x }, "type": "required" })),
        "active_tags" => each(&v, |x| json!({ "name": x, "status": "active" })),
        "md5" => Value::String(md5_hex(&super::template::text_of(&v).trim().to_lowercase())),
        "adf" => adf(&super::template::text_of(&v)),
        "replace_all" => replace_all(&v)?,
        "rows" => rows(v)?,
        "priority" => priority(&v)?,
        "base64" => Value::String(base64::engine::general_purpose::STANDARD.encode(file_bytes(&v)?)),
        "file_name" => v.get("name").cloned().ok_or("a file needs a name")?,
        "segments" => v,
        "not" => Value::Bool(!v.as_bool().ok_or("expected yes or no")?),
        "doc_id" => Value::String(doc_id(&super::template::text_of(&v))),
        "last_segment" => {
            let text = super::template::text_of(&v);
            Value::String(text.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned())
        }
        "sheet_prefix" => {
            let name = super::template::text_of(&v);
            Value::String(if name.is_empty() { String::new() } else { format!("'{}'!", name.replace('\'', "''")) })
        }
        "google_meet" => match v.as_bool() {
            Some(true) => json!({ "createRequest": {
                "requestId": crate::digest::random_token()[..20].to_owned(),
                "conferenceSolutionKey": { "type": "hangoutsMeet" }
            } }),
            _ => Value::Null,
        },
        "count" => json!(items(&v).len()),
        "notion_id" => Value::String(notion_id(&super::template::text_of(&v))),
        "linkedin_urn" => {
            let text = super::template::text_of(&v);
            let urn = text.find("urn:li:").map_or(text.trim(), |i| text[i..].trim_end_matches('/'));
            Value::String(urn.split(['/', '?']).next().unwrap_or_default().to_owned())
        }
        "org_urn" => {
            let text = super::template::text_of(&v);
            let id = text.trim().trim_start_matches("urn:li:organization:");
            Value::String(format!("urn:li:organization:{id}"))
        }
        "html_or_text" => {
            let text = super::template::text_of(&v);
            let t = text.trim_start();
            Value::String(if t.starts_with('<') && t.contains("</") { "HTML" } else { "Text" }.to_owned())
        }
        "incomplete_only" => match v {
            Value::Bool(false) => Value::String("now".into()),
            Value::String(ref s) if s == "false" => Value::String("now".into()),
            _ => Value::Null,
        },
        "soql" => Value::String(super::template::text_of(&v).replace('\\', "\\\\").replace('\'', "\\'")),
        "file_size" => json!(file_bytes(&v)?.len()),
        "bq_fields" => bq_fields(v)?,
        other => return Err(format!("there is no filter '{other}'")),
    })
}

/// A list from a list, or from text split at commas and line breaks.
fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        Value::String(s) => {
            s.split([',', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(|x| Value::String(x.to_owned())).collect()
        }
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn each(v: &Value, shape: impl Fn(Value) -> Value) -> Value {
    Value::Array(items(v).into_iter().map(shape).collect())
}

fn int(v: &Value) -> Result<Value, String> {
    match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(v.clone()),
        Value::Number(n) => Ok(json!(n.as_f64().unwrap_or_default().round() as i64)),
        Value::String(s) => {
            s.trim().parse::<i64>().map(|n| json!(n)).map_err(|_| format!("'{s}' is not a whole number"))
        }
        other => Err(format!("{other} is not a whole number")),
    }
}

/// A point in time from an RFC 3339 date-time or a date (midnight UTC).
fn instant(v: &Value) -> Result<DateTime<Utc>, String> {
    let s = v.as_str().ok_or("expected a date or a date-time")?;
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date or an RFC 3339 date-time"))?;
    Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
}

fn day(v: &Value) -> Result<String, String> {
    let s = v.as_str().ok_or("expected a date")?;
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.date_naive().to_string());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.to_string()).map_err(|_| format!("'{s}' is not a date"))
}

fn md5_hex(s: &str) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn adf(text: &str) -> Value {
    let paragraphs: Vec<Value> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| json!({ "type": "paragraph", "content": [{ "type": "text", "text": p }] }))
        .collect();
    json!({ "type": "doc", "version": 1, "content": paragraphs })
}

fn replace_all(v: &Value) -> Result<Value, String> {
    let map = v.as_object().ok_or("expected an object of {text to find: replacement}")?;
    Ok(Value::Array(
        map.iter()
            .map(|(find, with)| {
                json!({ "replaceAllText": {
                    "containsText": { "text": find, "matchCase": true },
                    "replaceText": super::template::text_of(with)
                } })
            })
            .collect(),
    ))
}

fn rows(v: Value) -> Result<Value, String> {
    let list = match v {
        Value::Array(a) => a,
        obj @ Value::Object(_) => vec![obj],
        _ => return Err("expected an object or a list of objects".into()),
    };
    if list.iter().any(|r| !r.is_object()) {
        return Err("each row is an object of column: value".into());
    }
    Ok(Value::Array(list.into_iter().map(|r| json!({ "json": r })).collect()))
}

fn priority(v: &Value) -> Result<Value, String> {
    let text = super::template::text_of(v).trim().to_lowercase();
    Ok(json!(match text.as_str() {
        "urgent" | "1" => 1,
        "high" | "2" => 2,
        "normal" | "medium" | "3" => 3,
        "low" | "4" => 4,
        _ => return Err(format!("'{text}' is not urgent, high, normal or low")),
    }))
}

/// The id inside a Google editor URL (`…/d/<id>/edit`), or the text when it is an id.
fn doc_id(text: &str) -> String {
    match text.split_once("/d/") {
        Some((_, rest)) => rest.split(['/', '?', '#']).next().unwrap_or_default().to_owned(),
        None => text.trim().to_owned(),
    }
}

/// Notion URLs end in the page's id, 32 hex digits after the title.
fn notion_id(text: &str) -> String {
    let path = text.split(['?', '#']).next().unwrap_or_default();
    let tail: String =
        path.chars().rev().take_while(char::is_ascii_hexdigit).collect::<Vec<_>>().into_iter().rev().collect();
    if path.contains('/') && tail.len() >= 32 { tail[tail.len() - 32..].to_owned() } else { text.trim().to_owned() }
}

fn bq_fields(v: Value) -> Result<Value, String> {
    match v {
        Value::Array(_) => Ok(v),
        Value::Object(map) => Ok(Value::Array(
            map.into_iter()
                .map(|(name, kind)| json!({ "name": name, "type": super::template::text_of(&kind).to_uppercase() }))
                .collect(),
        )),
        _ => Err("expected {column: TYPE} or a list of BigQuery fields".into()),
    }
}

/// The bytes of a file input: `{"name", "content"}` (text) or `{"name", "content_base64"}`.
pub fn file_bytes(v: &Value) -> Result<Vec<u8>, String> {
    if let Some(text) = v.get("content").and_then(Value::as_str) {
        return Ok(text.as_bytes().to_vec());
    }
    let encoded = v.get("content_base64").and_then(Value::as_str).ok_or("a file needs content or content_base64")?;
    base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| "content_base64 is not valid base64".to_owned())
}

/// RFC 3339 with milliseconds and a `Z`, as most APIs print times.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_come_from_lists_or_from_comma_separated_text() {
        assert_eq!(apply("list", json!("a@x.io, b@y.io\nc@z.io")).unwrap(), json!(["a@x.io", "b@y.io", "c@z.io"]));
        assert_eq!(apply("join", json!(["bug", "ui"])).unwrap(), json!("bug,ui"));
        assert_eq!(apply("recipients", json!("a@x.io")).unwrap(), json!([{"emailAddress": {"address": "a@x.io"}}]));
    }

    #[test]
    fn times_become_the_shapes_providers_document() {
        assert_eq!(apply("unix", json!("2026-05-01T10:00:00+02:00")).unwrap(), json!(1_777_622_400));
        assert_eq!(apply("unix_ms", json!("2026-05-01")).unwrap(), json!(1_777_593_600_000i64));
        assert_eq!(apply("utc", json!("2026-05-01T10:00:00+02:00")).unwrap(), json!("2026-05-01T08:00:00"));
        assert_eq!(apply("midnight", json!("2026-05-01")).unwrap(), json!("2026-05-01T00:00:00.000Z"));
        assert!(apply("unix", json!("tomorrow")).is_err());
    }

    #[test]
    fn mailchimp_hashes_the_lowercased_address() {
        // Mailchimp's own example: the MD5 of "urist.mcvankab@freddiesjokes.com".
        assert_eq!(
            apply("md5", json!("Urist.McVankab@freddiesjokes.com")).unwrap(),
            json!("62eeb292278cc15f5817cb78f7790b08")
        );
    }

    #[test]
    fn google_urls_and_sheet_names_become_ids_and_ranges() {
        assert_eq!(
            apply("doc_id", json!("https://docs.google.com/spreadsheets/d/1AbC_x/edit#gid=0")).unwrap(),
            json!("1AbC_x")
        );
        assert_eq!(apply("doc_id", json!("1AbC_x")).unwrap(), json!("1AbC_x"));
        assert_eq!(apply("sheet_prefix", json!("Ada's tasks")).unwrap(), json!("'Ada''s tasks'!"));
        assert_eq!(apply("last_segment", json!("properties/123")).unwrap(), json!("123"));
        assert_eq!(apply("google_meet", json!(false)).unwrap(), Value::Null);
        assert_eq!(
            apply("linkedin_urn", json!("https://www.linkedin.com/feed/update/urn:li:activity:7001/")).unwrap(),
            json!("urn:li:activity:7001")
        );
        assert_eq!(apply("org_urn", json!("2414183")).unwrap(), json!("urn:li:organization:2414183"));
        assert_eq!(apply("soql", json!("O'Brien")).unwrap(), json!("O\\'Brien"));
        assert_eq!(
            apply("notion_id", json!("https://www.notion.so/acme/Roadmap-0123456789abcdef0123456789abcdef?pvs=4"))
                .unwrap(),
            json!("0123456789abcdef0123456789abcdef")
        );
    }

    #[test]
    fn provider_shapes_are_built_from_plain_values() {
        assert_eq!(apply("priority", json!("High")).unwrap(), json!(2));
        assert_eq!(apply("rows", json!({"a": 1})).unwrap(), json!([{"json": {"a": 1}}]));
        let doc = apply("adf", json!("One\n\nTwo")).unwrap();
        assert_eq!(doc["content"].as_array().unwrap().len(), 2);
        let r = apply("replace_all", json!({"{{name}}": "Ada"})).unwrap();
        assert_eq!(r[0]["replaceAllText"]["containsText"]["text"], "{{name}}");
        assert_eq!(file_bytes(&json!({"name": "a.txt", "content_base64": "aGk="})).unwrap(), b"hi");
    }
}
