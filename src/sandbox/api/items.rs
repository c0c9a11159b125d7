//! The items a connector trigger's provider lists (new emails, issues, form responses), as
//! the sandbox plays them: the catalog's few `sandbox_items` plus those a test or a person
//! adds with `POST /sandbox/items`, newest first. A list request is answered with the items
//! whose `where` fits the filters the request carries (the trigger's inputs read back from
//! its path and query), in the shape the binding documents; an item read answers the item.

use super::matching::{Endpoint, Matched};
use super::{Play, Scope};
use crate::catalog::poll::{Poll, QueryValue};
use crate::catalog::template::{Source, Template, render_json, text_of};
use crate::http::AppState;
use crate::store::{StoreError, now};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// `POST /sandbox/items` (JSON).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub connector: String,
    pub trigger: String,
    pub item: Value,
    /// The trigger inputs this item passes: `{"label": "Invoices"}`; `"*"` for any value.
    #[serde(default, rename = "where")]
    pub matches: Map<String, Value>,
}

/// Adds an item the provider will list from now on; answers `{"id"}` (made up when the
/// item has none).
pub async fn add(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let new: NewItem = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => return bad(&format!("send JSON {{\"connector\", \"trigger\", \"item\", \"where\"?}}: {e}")),
    };
    let poll = state.catalog.get(&new.connector).and_then(|c| c.trigger(&new.trigger)).and_then(|t| t.poll.as_ref());
    let Some(poll) = poll else {
        return bad(&format!("{}.{} is not a trigger the sandbox lists items for", new.connector, new.trigger));
    };
    let mut item = new.item;
    if !item.is_object() {
        return bad("the item is a JSON object, shaped as the provider lists it");
    }
    if poll.id_of(&item).is_none() {
        let Some(key) = poll.id.strip_prefix('/').filter(|k| !k.contains('/')) else {
            return bad(&format!("give the item an id at {}", poll.id));
        };
        item[key] = Value::String(crate::digest::random_token()[..16].to_owned());
    }
    let id = poll.id_of(&item).unwrap_or_default();
    let stored = state
        .store
        .add_sandbox_item(
            &new.connector,
            &new.trigger,
            &item.to_string(),
            &Value::Object(new.matches).to_string(),
            now(),
        )
        .await;
    match stored {
        Ok(_) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => crate::http::pages::PageError::from(e).into_response(),
    }
}

fn bad(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

impl Play<'_> {
    /// The answer to a poll's list or item read, and for a list how many items it has.
    pub(super) async fn items(
        &self,
        matched: &Matched<'_>,
        caller: &super::Caller,
        scope: &Scope<'_>,
    ) -> Result<(Response, Option<usize>), StoreError> {
        let (trigger, poll, list) = match &matched.endpoint {
            Endpoint::PollList { trigger, poll } => (trigger, poll, true),
            Endpoint::PollFetch { trigger, poll } => (trigger, poll, false),
            _ => return Ok((self.error(StatusCode::NOT_FOUND, "not a list of items"), None)),
        };
        let missing: Vec<&str> =
            trigger.scopes.iter().filter(|s| !caller.scopes.contains(s)).map(String::as_str).collect();
        if !missing.is_empty() {
            let message = format!("the token lacks the scope {}", missing.join(" "));
            return Ok((self.error(StatusCode::FORBIDDEN, &message), None));
        }
        let stored = self.state.store.sandbox_items(self.connector.id.as_str(), &trigger.id).await?;
        let added = stored.into_iter().filter_map(|(item, matches)| {
            Some((serde_json::from_str::<Value>(&item).ok()?, serde_json::from_str::<Value>(&matches).ok()?))
        });
        let seeds = match &poll.sandbox_items {
            Some(Value::Array(entries)) => entries.clone(),
            _ => Vec::new(),
        };
        let seeds = seeds
            .into_iter()
            .filter_map(|e| Some((e.get("item")?.clone(), e.get("where").cloned().unwrap_or(Value::Null))));
        let all: Vec<(Value, Value)> = added.chain(seeds).collect();
        if !list {
            let wanted = matched.params.get("=item_id").map(text_of).unwrap_or_default();
            return Ok(match all.into_iter().find(|(item, _)| poll.id_of(item).as_deref() == Some(wanted.as_str())) {
                Some((item, _)) => (Json(item).into_response(), None),
                None => (self.error(StatusCode::NOT_FOUND, "Requested entity was not found."), None),
            });
        }
        let asked = asked_for(poll, &matched.params, scope.query);
        let fitting: Vec<Value> = all
            .into_iter()
            .filter(|(_, matches)| fits(&asked, matches))
            .map(|(item, _)| match &poll.listed {
                Some(shape) => {
                    let item_scope = Scope { body: &item, ..scope.clone() };
                    render_json(shape, &item_scope).ok().flatten().unwrap_or(Value::Null)
                }
                None => item,
            })
            .collect();
        let count = fitting.len();
        let envelope = poll.example.as_ref().and_then(|e| render_json(e, scope).ok().flatten());
        let answer = place(envelope.unwrap_or(Value::Null), &poll.items, Value::Array(fitting));
        Ok((Json(answer).into_response(), Some(count)))
    }
}

/// The trigger inputs a list request asks for, read back from its path and query.
fn asked_for(poll: &Poll, params: &Map<String, Value>, query: &Map<String, Value>) -> Map<String, Value> {
    let mut asked: Map<String, Value> =
        params.iter().filter(|(k, _)| !k.starts_with('=')).map(|(k, v)| (k.clone(), v.clone())).collect();
    for (name, value) in &poll.query {
        let Some(sent) = query.get(name).and_then(Value::as_str) else { continue };
        let (parts, alone) = match value {
            QueryValue::One(t) => (vec![t.as_str()], true),
            QueryValue::Parts(p) => (p.iter().map(String::as_str).collect(), false),
        };
        for part in parts {
            if let Some((input, found)) = read_back(part, sent, alone) {
                asked.insert(input, Value::String(found));
            }
        }
    }
    asked.retain(|_, v| !text_of(v).trim().is_empty());
    asked
}

/// The value of the one input in `template` as `sent` carries it: the whole text, or one
/// space-separated term of it (`label:Invoices` in `label:Invoices from:a@b`).
fn read_back(template: &str, sent: &str, alone: bool) -> Option<(String, String)> {
    let t = Template::parse(template).ok()?;
    let mut inputs = t.placeholders().filter_map(|p| match &p.source {
        Source::Input(n) => Some(n.clone()),
        _ => None,
    });
    let input = inputs.next()?;
    let open = template.find('{')?;
    let close = template.rfind('}')?;
    let (prefix, suffix) = (&template[..open], &template[close + 1..]);
    let pattern = if alone {
        format!("^{}(.*){}$", regex::escape(prefix), regex::escape(suffix))
    } else {
        format!(r"(?:^|\s){}(\S+){}(?:\s|$)", regex::escape(prefix), regex::escape(suffix))
    };
    let found = regex::Regex::new(&pattern).ok()?.captures(sent)?.get(1)?.as_str().trim_matches('"').to_owned();
    Some((input, found))
}

/// True when an item's `where` passes every input asked for.
fn fits(asked: &Map<String, Value>, matches: &Value) -> bool {
    asked.iter().all(|(input, wanted)| {
        let wanted = text_of(wanted);
        let same = |v: &Value| text_of(v) == "*" || text_of(v).eq_ignore_ascii_case(&wanted);
        match matches.get(input) {
            Some(Value::Array(options)) => options.iter().any(same),
            Some(v) => same(v),
            None => false,
        }
    })
}

/// `list` put at `pointer` inside `envelope` (the answer is the list for an empty pointer).
fn place(envelope: Value, pointer: &str, list: Value) -> Value {
    if pointer.is_empty() {
        return list;
    }
    let mut out = if envelope.is_object() { envelope } else { json!({}) };
    let keys: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let mut at = &mut out;
    for (i, key) in keys.iter().enumerate() {
        if !at.is_object() {
            *at = json!({});
        }
        let Some(map) = at.as_object_mut() else { break };
        if i + 1 == keys.len() {
            map.insert((*key).to_owned(), list);
            break;
        }
        at = map.entry((*key).to_owned()).or_insert_with(|| json!({}));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_a_request_asks_for_are_read_back_from_its_query() {
        assert_eq!(
            read_back("label:{label}", "label:Invoices from:a@b.c", false),
            Some(("label".into(), "Invoices".into()))
        );
        assert_eq!(read_back("from:{from}", "label:Invoices from:a@b.c", false), Some(("from".into(), "a@b.c".into())));
        assert_eq!(read_back("label:{label}", "is:unread", false), None);
        assert_eq!(read_back("{status}", "open", true), Some(("status".into(), "open".into())));
        let asked = Map::from_iter([("label".to_owned(), json!("invoices"))]);
        assert!(fits(&asked, &json!({"label": "Invoices"})));
        assert!(fits(&asked, &json!({"label": "*"})));
        assert!(!fits(&asked, &json!({})), "an item without the label is not listed under it");
        assert!(fits(&Map::new(), &Value::Null), "nothing asked, everything listed");
        assert_eq!(place(json!({"n": 1}), "/messages", json!([1])), json!({"n": 1, "messages": [1]}));
        assert_eq!(place(Value::Null, "", json!([1])), json!([1]));
    }
}
