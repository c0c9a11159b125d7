//! How a connector trigger is polled, as a catalog file spells it (`[triggers.poll]`,
//! docs/catalog.md): the request that lists the newest items (built from the trigger's
//! inputs with the same templates as action steps), where the list and each item's id are
//! in the answer, an optional second request per new item, and how an item becomes the
//! trigger's outputs. The same binding drives a real provider, a stub and the sandbox.

use super::binding::Method;
use super::template::{Resolve, Source, Template, text_of};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `[triggers.poll]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    #[serde(default = "get")]
    pub method: Method,
    /// Under the API's base URL; `{input}` placeholders take the trigger's inputs.
    pub path: String,
    /// Query parameters. A list of parts is joined with spaces, leaving out the parts whose
    /// input was not given (Gmail's `q = ["label:{label}", "from:{from}"]`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, QueryValue>,
    /// A JSON pointer to the list in the answer; empty when the answer is the list.
    pub items: String,
    /// A JSON pointer to an item's id, inside each listed item.
    pub id: String,
    /// Listed items whose field here is set (not absent, null or false) are not the
    /// trigger's: GitHub lists pull requests among issues, each with a `pull_request`
    /// field, and draft releases among releases (`draft: true`).
    pub skip_if: Option<String>,
    /// One more request per new item, when the list gives little more than ids.
    pub fetch: Option<Fetch>,
    /// Each output of the trigger: a template over the item (`{/subject}`, with filters).
    /// A pointer segment `?name=From` picks the first list element whose `name` is `From`.
    pub record: BTreeMap<String, String>,
    /// The answer around the items, as the sandbox plays it (the list goes at `items`).
    #[serde(default, deserialize_with = "super::binding::json_value")]
    pub example: Option<Value>,
    /// With `fetch`: a listed item as the sandbox plays it, a template over the whole item.
    #[serde(default, deserialize_with = "super::binding::json_value")]
    pub listed: Option<Value>,
    /// The items the sandbox has from the start: `[{"item": {...}, "where": {input: value
    /// or "*"}}]`. An item is listed for a request whose inputs all match its `where`.
    #[serde(default, deserialize_with = "super::binding::json_value")]
    pub sandbox_items: Option<Value>,
    /// The provider's reference page for the list request.
    pub docs: Option<String>,
}

/// The request that reads one new item in full; `{=item_id}` is its id.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fetch {
    pub path: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    pub docs: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum QueryValue {
    One(String),
    Parts(Vec<String>),
}

impl QueryValue {
    pub fn templates(&self) -> Vec<&str> {
        match self {
            Self::One(t) => vec![t.as_str()],
            Self::Parts(parts) => parts.iter().map(String::as_str).collect(),
        }
    }
}

fn get() -> Method {
    Method::Get
}

impl Poll {
    /// Every request template with where it sits (for checks).
    pub fn request_templates(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = vec![("poll.path".to_owned(), self.path.as_str())];
        for (k, v) in &self.query {
            out.extend(v.templates().into_iter().map(|t| (format!("poll.query.{k}"), t)));
        }
        out
    }

    /// The fetch request's templates.
    pub fn fetch_templates(&self) -> Vec<(String, &str)> {
        let Some(f) = &self.fetch else { return Vec::new() };
        let mut out: Vec<(String, &str)> = vec![("poll.fetch.path".to_owned(), f.path.as_str())];
        out.extend(f.query.iter().map(|(k, v)| (format!("poll.fetch.query.{k}"), v.as_str())));
        out
    }

    /// The list in an answer, or why there is none, in words.
    pub fn list<'v>(&self, answer: &'v Value) -> Result<&'v Vec<Value>, String> {
        match lookup(answer, &self.items) {
            Some(Value::Array(items)) => Ok(items),
            // Google leaves the list out when it is empty.
            None | Some(Value::Null) if !self.items.is_empty() && answer.is_object() => Ok(empty()),
            Some(_) | None => Err(format!("the answer has no list at '{}'", self.items)),
        }
    }

    /// An item's id, as text, or `None` when it has none.
    pub fn id_of(&self, item: &Value) -> Option<String> {
        match lookup(item, &self.id)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// True when a listed item is not one of the trigger's (`skip_if`).
    pub fn skips(&self, item: &Value) -> bool {
        self.skip_if
            .as_deref()
            .is_some_and(|p| lookup(item, p).is_some_and(|v| !v.is_null() && v != &Value::Bool(false)))
    }

    /// The trigger's outputs read from an item; a missing field is null, a filter that
    /// refuses its value is an error in words.
    pub fn record_of(&self, item: &Value, inputs: &Map<String, Value>) -> Result<Map<String, Value>, String> {
        let values = Item { item, inputs };
        let mut out = Map::new();
        for (field, text) in &self.record {
            let t = Template::parse(text).map_err(|e| e.to_string())?;
            let value = match t.whole() {
                Some(_) => t.render_value(&values),
                None => t.render_text(&values, &|_, v| Ok(v.to_owned())).map(|v| v.map(Value::String)),
            }
            .map_err(|e| format!("{field}: {e}"))?;
            out.insert(field.clone(), value.unwrap_or(Value::Null));
        }
        Ok(out)
    }
}

fn empty() -> &'static Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    &EMPTY
}

/// The values of record templates: a field of the item (`{/pointer}`) or one of the
/// trigger's inputs (`{form}`).
pub struct Item<'a> {
    pub item: &'a Value,
    pub inputs: &'a Map<String, Value>,
}

impl Resolve for Item<'_> {
    fn resolve(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Body(p) => lookup(self.item, p).cloned(),
            Source::Input(n) => self.inputs.get(n).cloned(),
            _ => None,
        }
    }
}

/// A JSON pointer, with one addition: a segment `?key=value` picks the first element of a
/// list whose `key` is `value` (case-insensitive), as Gmail's headers need
/// (`/payload/headers/?name=Subject/value`). The empty pointer is the value itself.
pub fn lookup<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut at = value;
    for raw in rest.split('/') {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        at = match (segment.strip_prefix('?').and_then(|s| s.split_once('=')), at) {
            (Some((key, wanted)), Value::Array(list)) => {
                list.iter().find(|e| e.get(key).is_some_and(|v| text_of(v).eq_ignore_ascii_case(wanted)))?
            }
            (Some(_), _) => return None,
            (None, Value::Object(map)) => map.get(&segment)?,
            (None, Value::Array(list)) => list.get(segment.parse::<usize>().ok()?)?,
            (None, _) => return None,
        };
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn gmail_like() -> Poll {
        toml::from_str(
            r#"
            path = "/gmail/v1/users/me/messages"
            query = { q = ["label:{label}", "from:{from}"], maxResults = "20" }
            items = "/messages"
            id = "/id"
            fetch = { path = "/gmail/v1/users/me/messages/{=item_id}" }
            record = { subject = "{/payload/headers/?name=subject/value}", size = "{/sizeEstimate}", who = "to {/to}" }
            "#,
        )
        .unwrap()
    }

    #[test]
    fn a_poll_binding_reads_its_list_ids_and_record() {
        let poll = gmail_like();
        assert_eq!(poll.method, Method::Get);
        assert_eq!(poll.query["q"], QueryValue::Parts(vec!["label:{label}".into(), "from:{from}".into()]));
        let answer = json!({"messages": [{"id": "a1"}, {"id": 7}, {"threadId": "x"}]});
        let list = poll.list(&answer).unwrap();
        let ids: Vec<Option<String>> = list.iter().map(|i| poll.id_of(i)).collect();
        assert_eq!(ids, vec![Some("a1".into()), Some("7".into()), None]);
        assert!(poll.list(&json!({"resultSizeEstimate": 0})).unwrap().is_empty(), "Google leaves an empty list out");
        assert!(poll.list(&json!({"messages": "nope"})).is_err());
        let message = json!({"payload": {"headers": [{"name": "Subject", "value": "Invoice 12"}]}, "sizeEstimate": 12});
        let record = poll.record_of(&message, &Map::new()).unwrap();
        assert_eq!(record["subject"], "Invoice 12");
        assert_eq!(record["size"], 12, "a whole placeholder keeps its type");
        assert_eq!(record["who"], Value::Null, "a missing field is null, not a panic");
    }

    #[test]
    fn unknown_fields_in_a_poll_binding_are_refused() {
        let bad = toml::from_str::<Poll>("path = \"/x\"\nitems = \"\"\nid = \"/id\"\nrecord = {}\nlimit = 3\n");
        assert!(bad.unwrap_err().to_string().contains("unknown field `limit`"));
        let no_id = toml::from_str::<Poll>("path = \"/x\"\nitems = \"\"\nrecord = {}\n");
        assert!(no_id.unwrap_err().to_string().contains("missing field `id`"));
    }

    #[test]
    fn extended_pointers_pick_list_elements_by_a_field() {
        let v = json!({"h": [{"name": "From", "value": "a"}, {"name": "To", "value": "b"}], "l": [1, 2]});
        assert_eq!(lookup(&v, "/h/?name=to/value"), Some(&json!("b")));
        assert_eq!(lookup(&v, "/l/1"), Some(&json!(2)));
        assert_eq!(lookup(&v, "/h/?name=Cc/value"), None);
        assert_eq!(lookup(&v, "/l/?name=x"), None);
        assert_eq!(lookup(&v, "nope"), None);
        assert_eq!(lookup(&v, ""), Some(&v));
    }
}
