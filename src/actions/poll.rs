//! Polling a connector trigger with the app's shared connection: the binding's list
//! request (and, for each new item, its fetch request) built by the same templates, sent by
//! the same sender (token renewed on a 401) and read the same way as an action's steps.
//! Whatever the provider answers, the result is an item list or a failure in words.

use super::flows::{failure, refused};
use super::request::{Scope, prepare};
use super::{ActionError, Runner, Usable, default_headers};
use crate::catalog::binding::Step;
use crate::catalog::poll::{Poll, QueryValue};
use crate::catalog::template::{Template, text_of};
use crate::catalog::{Connector, Operation};
use crate::runner::actions::{PollCall, Polled, StepFailure};
use crate::wiring::ConnectionKind;
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};

impl Runner {
    fn polled_trigger(&self, operation: &str) -> Result<(&Connector, &Operation, &Poll), StepFailure> {
        let (c, t) = operation
            .split_once('.')
            .ok_or_else(|| StepFailure::permanent(format!("'{operation}' is not <connector>.<trigger>")))?;
        let connector = self.connector(c).map_err(failure)?;
        let trigger =
            connector.trigger(t).ok_or_else(|| StepFailure::permanent(format!("there is no trigger '{operation}'")))?;
        let poll = trigger.poll.as_ref().ok_or_else(|| {
            StepFailure::permanent(format!("{}: {} cannot be polled yet", connector.name, trigger.name))
        })?;
        Ok((connector, trigger, poll))
    }

    async fn poll_connection<'c>(
        &self,
        call: &PollCall<'_>,
        connector: &'c Connector,
        trigger: &Operation,
    ) -> Result<Usable<'c>, ActionError> {
        let row = self.connection(call.app_id, connector).await?;
        self.check_permissions(connector, trigger, &row)?;
        self.usable(connector, row).await
    }

    /// Sends one poll request; the answer, or the failure the way a run needs it.
    async fn poll_request(
        &self,
        usable: &Usable<'_>,
        step: &Step,
        inputs: &Map<String, Value>,
        item_id: Option<&str>,
    ) -> Result<Value, StepFailure> {
        let connector = usable.connector;
        let scope = Scope { inputs, config: &usable.config, answers: &[], mime: None, uid: "", item_id };
        let prepared = prepare(step, &usable.target, &scope).map_err(|e| {
            StepFailure::permanent(format!(
                "{}: the request to check for new items could not be built: {e}",
                connector.name
            ))
        })?;
        let headers = default_headers(connector);
        let sender = self.sender(connector, &usable.row, &headers);
        let outcome = self.exchange(connector, &sender, &prepared).await.map_err(failure)?;
        let (status, answer) = match outcome {
            Ok(done) => done,
            Err(failed) => {
                self.record(&usable.row, "poll", None, failed.provider_status, failed.error.as_deref()).await;
                return Err(refused(self, connector.id.as_str(), &failed));
            }
        };
        self.record(&usable.row, "poll", None, status, None).await;
        Ok(answer)
    }
}

/// The list request as a plain step: query parts joined, each rendered with the inputs.
fn list_step(poll: &Poll, inputs: &Map<String, Value>) -> Result<Step, String> {
    let scope = Scope { inputs, config: &Map::new(), answers: &[], mime: None, uid: "", item_id: None };
    let mut query = Map::new();
    for (name, value) in &poll.query {
        match value {
            QueryValue::One(t) => {
                query.insert(name.clone(), Value::String(t.clone()));
            }
            QueryValue::Parts(parts) => {
                let mut given = Vec::new();
                for part in parts {
                    let t = Template::parse(part).map_err(|e| e.to_string())?;
                    given.extend(t.render_text(&scope, &|_, v| Ok(v.to_owned())).map_err(|e| e.to_string())?);
                }
                if !given.is_empty() {
                    let literal = given.join(" ").replace('{', "{{").replace('}', "}}");
                    query.insert(name.clone(), Value::String(literal));
                }
            }
        }
    }
    let step = json!({ "method": poll.method, "path": poll.path, "query": query });
    serde_json::from_value(step).map_err(|e| e.to_string())
}

fn fetch_step(fetch: &crate::catalog::poll::Fetch) -> Result<Step, String> {
    let step = json!({ "method": "GET", "path": fetch.path, "query": fetch.query });
    serde_json::from_value(step).map_err(|e| e.to_string())
}

fn shared_only(call: &PollCall<'_>) -> Result<(), StepFailure> {
    if call.connection.kind == ConnectionKind::AppUser {
        return Err(StepFailure::permanent("a trigger polls with the app's shared connection only"));
    }
    Ok(())
}

/// What a poll's answer lists, in words when it is not the documented shape.
pub fn listed(poll: &Poll, name: &str, answer: &Value) -> Result<Vec<Polled>, StepFailure> {
    let items = poll
        .list(answer)
        .map_err(|why| StepFailure::permanent(format!("{name}'s list of new items was not readable: {why}")))?;
    let mut out = Vec::new();
    for item in items.iter().filter(|i| !poll.skips(i)) {
        let Some(id) = poll.id_of(item) else {
            let shown: String = text_of(item).chars().take(120).collect();
            return Err(StepFailure::permanent(format!(
                "{name} listed an item without an id at '{}': {shown}",
                poll.id
            )));
        };
        out.push(Polled { id, item: item.clone() });
    }
    Ok(out)
}

impl Runner {
    pub(super) fn list_items_now<'a>(
        &'a self,
        call: &'a PollCall<'a>,
    ) -> BoxFuture<'a, Result<Vec<Polled>, StepFailure>> {
        Box::pin(async move {
            shared_only(call)?;
            let (connector, trigger, poll) = self.polled_trigger(call.operation)?;
            let usable = self.poll_connection(call, connector, trigger).await.map_err(failure)?;
            let step = list_step(poll, call.inputs).map_err(StepFailure::permanent)?;
            let answer = self.poll_request(&usable, &step, call.inputs, None).await?;
            listed(poll, &connector.name, &answer)
        })
    }

    pub(super) fn item_record_now<'a>(
        &'a self,
        call: &'a PollCall<'a>,
        item: &'a Polled,
    ) -> BoxFuture<'a, Result<Value, StepFailure>> {
        Box::pin(async move {
            let (connector, trigger, poll) = self.polled_trigger(call.operation)?;
            let full = match &poll.fetch {
                None => item.item.clone(),
                Some(fetch) => {
                    shared_only(call)?;
                    let usable = self.poll_connection(call, connector, trigger).await.map_err(failure)?;
                    let step = fetch_step(fetch).map_err(StepFailure::permanent)?;
                    self.poll_request(&usable, &step, call.inputs, Some(&item.id)).await?
                }
            };
            if !full.is_object() {
                return Err(StepFailure::permanent(format!(
                    "{} answered item {} with something other than an object",
                    connector.name, item.id
                )));
            }
            let record = poll.record_of(&full, call.inputs).map_err(|why| {
                StepFailure::permanent(format!("{}'s item {} could not be read: {why}", connector.name, item.id))
            })?;
            Ok(Value::Object(record))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parts_join_the_given_inputs_and_leave_out_the_rest() {
        let poll: Poll = toml::from_str(
            "path = \"/m\"\nquery = { q = [\"label:{label}\", \"from:{from}\"], n = \"5\" }\nitems = \"/m\"\nid = \"/id\"\nrecord = {}\n",
        )
        .unwrap();
        let inputs = Map::from_iter([("label".to_owned(), json!("Invoices {x}"))]);
        let step = list_step(&poll, &inputs).unwrap();
        assert_eq!(step.query["q"], "label:Invoices {{x}}", "braces in a value stay text");
        assert_eq!(step.query["n"], "5");
        let none = list_step(&poll, &Map::new()).unwrap();
        assert!(!none.query.contains_key("q"), "no part given, no parameter");
    }

    #[test]
    fn bad_provider_lists_are_failures_in_words_not_panics() {
        let poll: Poll =
            toml::from_str("path = \"/m\"\nitems = \"/items\"\nid = \"/id\"\nskip_if = \"/pr\"\nrecord = {}\n")
                .unwrap();
        let ok =
            listed(&poll, "X", &json!({"items": [{"id": "a", "pr": false}, {"id": 2, "pr": {}}, {"id": 3}]})).unwrap();
        assert_eq!(ok.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["a", "3"]);
        let no_id = listed(&poll, "X", &json!({"items": [{"name": "a"}]})).unwrap_err();
        assert!(no_id.message.contains("X listed an item without an id at '/id'"), "{}", no_id.message);
        let not_list = listed(&poll, "X", &json!({"items": {"id": 1}})).unwrap_err();
        assert!(not_list.message.contains("not readable"), "{}", not_list.message);
        assert!(listed(&poll, "X", &json!("oops")).is_err(), "an answer that is not JSON is not an empty list");
    }
}
