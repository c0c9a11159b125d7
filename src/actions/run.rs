//! Running one catalog action: inputs checked, permissions checked, each step sent, the
//! outputs read from the answers. A provider's refusal is an outcome (`ok: false` with
//! its own message), not an error of patchbay's: the call was made as asked.

use super::request::{Prepared, Scope, prepare, runs};
use super::send::{read_limited, retry_after};
use super::{ActionError, Runner, Usable, default_headers, inputs};
use crate::catalog::binding::Api;
use crate::catalog::template::{Template, text_of};
use crate::catalog::{Connector, Operation};
use serde::Serialize;
use serde_json::{Map, Value};

/// What the App API answers: `{"ok", "output", "provider_status", "error"?}`, and when
/// the provider asked to wait, `retry_after` in seconds.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Outcome {
    pub ok: bool,
    pub output: Map<String, Value>,
    /// The provider's HTTP status; 0 when it did not answer.
    pub provider_status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Outcome {
    pub(super) fn failed(status: u16, error: String, retry_after: Option<u64>) -> Self {
        Self { ok: false, output: Map::new(), provider_status: status, error: Some(error), retry_after }
    }
}

impl Runner {
    /// Runs `connector.action` for the app with `inputs` (a JSON object).
    pub async fn run(
        &self,
        app_id: i64,
        connector_id: &str,
        action_id: &str,
        given: &Value,
    ) -> Result<Outcome, ActionError> {
        self.run_as(app_id, connector_id, action_id, given, None).await
    }

    /// The same, with an app user's own connection when `as_user` names one.
    pub async fn run_as(
        &self,
        app_id: i64,
        connector_id: &str,
        action_id: &str,
        given: &Value,
        as_user: Option<&str>,
    ) -> Result<Outcome, ActionError> {
        let connector = self.app_connector(app_id, connector_id).await?;
        let connector = connector.as_ref();
        let action = connector
            .action(action_id)
            .ok_or_else(|| ActionError::UnknownAction(format!("{connector_id}.{action_id}")))?;
        if !action.is_bound() {
            let why = action.unbound.as_deref().unwrap_or("it has no HTTP binding yet");
            return Err(ActionError::NotRunnable(format!(
                "{}: {} cannot run from patchbay: {why}",
                connector.name, action.name
            )));
        }
        let inputs = inputs::check(action, given)?;
        let row = self.connection_as(app_id, connector, as_user).await?;
        self.check_permissions(connector, action, &row)?;
        let usable = self.usable(connector, row).await?;
        let outcome = self.steps(&usable, action, &inputs).await?;
        self.record(&usable.row, "action", Some(&action.id), outcome.provider_status, outcome.error.as_deref()).await;
        Ok(outcome)
    }

    /// A 403 that names what is missing in the provider's words for people, and links to
    /// the page where an editor grants it.
    pub(super) fn check_permissions(
        &self,
        connector: &Connector,
        action: &Operation,
        row: &crate::store::ConnectionRow,
    ) -> Result<(), ActionError> {
        let granted = row.granted_scopes()?;
        let missing: Vec<&String> = action.scopes.iter().filter(|s| !granted.contains(s)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        let labels: Vec<String> =
            missing.iter().map(|s| connector.permission(s).map_or((*s).clone(), |p| p.label.clone())).collect();
        let url = format!(
            "{}/apps/{}/integrations/{}/try?action={}",
            self.settings().public_url(),
            row.app_id,
            row.id,
            action.id
        );
        let message = format!(
            "{} is connected without permission to {}: an editor can grant it by reconnecting {} at {url}",
            connector.name,
            labels.iter().map(|l| lowercase_first(l)).collect::<Vec<_>>().join(" and "),
            connector.name
        );
        Err(ActionError::MissingPermission { message, missing: labels, url })
    }

    async fn steps(
        &self,
        usable: &Usable<'_>,
        action: &Operation,
        inputs: &Map<String, Value>,
    ) -> Result<Outcome, ActionError> {
        let connector = usable.connector;
        connector.api.as_ref().ok_or_else(|| ActionError::NotRunnable(format!("{} has no API", connector.name)))?;
        let mime = uses_mime(action)
            .then(|| super::mime::raw_message(inputs))
            .transpose()
            .map_err(|m| ActionError::Input(inputs::InputError { field: "inputs".into(), message: m }))?;
        let headers = default_headers(connector);
        let sender = self.sender(connector, &usable.row, &headers);
        let uid = crate::digest::random_token()[..24].to_owned();
        let mut answers: Vec<Option<Value>> = Vec::new();
        let mut last = (200u16, Value::Null);
        for step in &action.call {
            if !runs(step, inputs) {
                answers.push(None);
                continue;
            }
            let scope = Scope {
                inputs,
                config: &usable.config,
                answers: &answers,
                mime: mime.clone(),
                uid: &uid,
                item_id: None,
            };
            let prepared: Prepared = prepare(step, &usable.target, &scope).map_err(|e| match e {
                super::request::BuildError::Target(t) => ActionError::Target(t),
                super::request::BuildError::Render(m) => {
                    ActionError::Input(inputs::InputError { field: "inputs".into(), message: m })
                }
            })?;
            let (status, answer) = match self.exchange(connector, &sender, &prepared).await? {
                Ok(done) => done,
                Err(failed) => return Ok(failed),
            };
            let answer = match &step.select {
                None => answer,
                Some(select) => match pick(select, &answer, &scope) {
                    Some(item) => item,
                    None => {
                        let missing = Template::parse(&select.missing)
                            .ok()
                            .and_then(|t| t.render_text(&scope, &|_, v| Ok(v.to_owned())).ok().flatten())
                            .unwrap_or_else(|| format!("{} found nothing to act on", connector.name));
                        return Ok(Outcome::failed(status, missing, None));
                    }
                },
            };
            last = (status, answer.clone());
            answers.push(Some(answer));
        }
        let output = outputs(action, &answers, &last.1);
        Ok(Outcome { ok: true, output, provider_status: last.0, error: None, retry_after: None })
    }
}

impl Runner {
    /// Sends one prepared request with the connection's token (renewed on a 401) and reads
    /// the answer: its status and body as JSON, or the failed outcome in the provider's own
    /// words. Actions and trigger polls both go through here.
    pub(super) async fn exchange(
        &self,
        connector: &Connector,
        sender: &super::send::Sender<'_>,
        prepared: &Prepared,
    ) -> Result<Result<(u16, Value), Outcome>, ActionError> {
        let api =
            connector.api.as_ref().ok_or_else(|| ActionError::NotRunnable(format!("{} has no API", connector.name)))?;
        let max = self.settings().actions.max_action_response_bytes;
        let sent = match sender.send(prepared).await {
            Ok(sent) => sent,
            Err(super::send::SendError::Use(e)) => return Err(e.into()),
            Err(e) => return Ok(Err(Outcome::failed(0, e.to_string(), None))),
        };
        let status = sent.response.status();
        let wait = retry_after(sent.response.headers());
        let headers = sent.response.headers().clone();
        let body = match read_limited(sent.response, max).await {
            Ok(Some(b)) => b,
            Ok(None) => {
                let why = format!("{}'s answer was too large", connector.name);
                return Ok(Err(Outcome::failed(status.as_u16(), why, None)));
            }
            Err(e) => {
                let why = format!("{}'s answer broke off: {e}", connector.name);
                return Ok(Err(Outcome::failed(status.as_u16(), why, None)));
            }
        };
        let answer = parse(&body, &headers);
        if status.is_redirection() {
            let why = format!("{} answered with a redirect, which patchbay does not follow", connector.name);
            return Ok(Err(Outcome::failed(status.as_u16(), why, None)));
        }
        if let Some(message) = refusal(api, connector, status, &answer) {
            let message = match sent.renewal_failed {
                Some(why) => format!("{message} ({why})"),
                None => message,
            };
            return Ok(Err(Outcome::failed(status.as_u16(), message, wait)));
        }
        Ok(Ok((status.as_u16(), answer)))
    }
}

fn uses_mime(action: &Operation) -> bool {
    action.call.iter().flat_map(|s| s.request_templates()).any(|(_, t)| t.contains("{=mime}"))
}

/// The answer as JSON. An empty body is its headers under `@headers`, for providers that
/// name what they made in a header (LinkedIn's `x-restli-id`, a `Location`).
fn parse(body: &[u8], headers: &reqwest::header::HeaderMap) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        let named: Map<String, Value> = headers
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_owned(), Value::String(v.to_str().ok()?.to_owned()))))
            .collect();
        return serde_json::json!({ "@headers": named });
    }
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// The provider's own message when the answer is a failure: an error status, or a 200
/// whose success flag is false (Slack's `"ok": false`).
fn refusal(api: &Api, connector: &Connector, status: reqwest::StatusCode, answer: &Value) -> Option<String> {
    // Only a JSON object answer carries the flag (an upload host may answer plain text).
    let wanted = api.success_value.clone().unwrap_or(Value::Bool(true));
    let flag_false =
        answer.is_object() && api.success_flag.as_deref().is_some_and(|p| answer.pointer(p) != Some(&wanted));
    if status.is_success() && !flag_false {
        return None;
    }
    let own = api.error_message.iter().filter_map(|p| answer.pointer(p)).map(text_of).find(|m| !m.trim().is_empty());
    Some(own.unwrap_or_else(|| {
        let reason = status.canonical_reason().unwrap_or("");
        format!("{} answered {} {reason}", connector.name, status.as_u16()).trim_end().to_owned()
    }))
}

fn pick(select: &crate::catalog::binding::Select, answer: &Value, scope: &Scope<'_>) -> Option<Value> {
    let wanted = Template::parse(&select.equals).ok()?.render_value(scope).ok()??;
    answer
        .pointer(&select.from)?
        .as_array()?
        .iter()
        .find(|item| item.pointer(&select.field).is_some_and(|v| text_of(v) == text_of(&wanted)))
        .cloned()
}

/// The action's outputs: each `returns` pointer read from the last answer (or `$N`'s);
/// without `returns`, the last answer itself.
fn outputs(action: &Operation, answers: &[Option<Value>], last: &Value) -> Map<String, Value> {
    if action.returns.is_empty() {
        return match last {
            Value::Object(m) if m.contains_key("@headers") => Map::new(),
            Value::Object(m) => m.clone(),
            Value::Null => Map::new(),
            other => Map::from_iter([("result".to_owned(), other.clone())]),
        };
    }
    action
        .returns
        .iter()
        .map(|(field, pointer)| {
            let value = match pointer.strip_prefix('$') {
                Some(rest) => {
                    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                    let step: usize = rest[..digits].parse().unwrap_or(0);
                    answers.get(step.wrapping_sub(1)).and_then(Option::as_ref).and_then(|a| a.pointer(&rest[digits..]))
                }
                None => last.pointer(pointer),
            };
            (field.clone(), value.cloned().unwrap_or(Value::Null))
        })
        .collect()
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}
