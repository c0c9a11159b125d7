//! The live test call: typed credentials are tried against the provider (or the sandbox
//! playing it) before anything is stored, and a refusal is said in the provider's words.

use super::fields::Entered;
use super::style::{self, Values};
use crate::actions::request::{Scope, prepare};
use crate::actions::send::read_limited;
use crate::actions::target::Target;
use crate::catalog::Connector;
use crate::config::Settings;
use crate::oauth::http::ProviderHttp;
use serde_json::{Map, Value};
use std::time::Duration;

/// The check's answer is small; more is not the document asked for.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The provider said no: the credentials (or one of them) are wrong.
    #[error("{0}")]
    Refused(String),
    /// Nothing could be concluded: the provider is unreachable or answered oddly.
    #[error("{0}")]
    Inconclusive(String),
}

/// The account the credentials belong to, in the provider's words when it names one.
pub async fn run(
    http: &ProviderHttp,
    settings: &Settings,
    connector: &Connector,
    entered: &Entered,
) -> Result<String, CheckError> {
    let name = &connector.name;
    let inconclusive = |why: String| {
        CheckError::Inconclusive(format!("Could not check the credentials with {name}: {why}. Nothing was stored."))
    };
    let (Some(step), Some(api)) = (&connector.auth.check, &connector.api) else {
        return Err(inconclusive("the catalog names no test call".into()));
    };
    let auth = api.credential.as_ref().ok_or_else(|| inconclusive("the catalog names no way to send them".into()))?;
    let secret = connector.auth.secret_credential().ok_or_else(|| inconclusive("no secret is asked for".into()))?;
    let target = Target::resolve(connector, settings, &entered.config).map_err(|e| inconclusive(e.to_string()))?;
    let inputs = Map::new();
    let scope =
        Scope { inputs: &inputs, config: &entered.config, answers: &[], mime: None, uid: "check", item_id: None };
    let mut request = prepare(step, &target, &scope).map_err(|e| inconclusive(e.to_string()))?;
    let values = Values { config: &entered.config, secret_name: &secret.name, secret: &entered.secret };
    let base_path = url::Url::parse(&target.base_url()).map(|u| u.path().to_owned()).unwrap_or_default();
    let applied = style::apply(auth, &values, &mut request.url, &base_path).map_err(|e| {
        CheckError::Refused(format!("{name} cannot be sent these credentials: {e}. Nothing was stored."))
    })?;
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
    let timeout = Duration::from_millis(settings.actions.timeout_ms);
    let mut builder = http.client().request(method, request.url.clone()).timeout(timeout);
    builder = builder.header(reqwest::header::ACCEPT, "application/json");
    for (k, v) in api.headers.iter().chain(request.headers.iter().map(|(k, v)| (k, v))) {
        builder = builder.header(k.as_str(), v.as_str());
    }
    for (k, v) in &applied.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    if let Some((content_type, body)) = request.body.take() {
        builder = builder.header(reqwest::header::CONTENT_TYPE, content_type).body(body);
    }
    // The URL may hold the secret (Telegram's path): errors are described without it.
    let response = builder.send().await.map_err(|e| {
        inconclusive(if e.is_timeout() { "it did not answer in time".into() } else { "it could not be reached".into() })
    })?;
    let status = response.status();
    let body = read_limited(response, MAX_ANSWER_BYTES).await.ok().flatten().unwrap_or_default();
    let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let said = api
        .error_message
        .iter()
        .find_map(|p| answer.pointer(p).map(crate::catalog::template::text_of).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| format!("it answered {}", status.as_u16()));
    let said: String = said.chars().take(300).collect();
    let flag_ok = api.success_flag.as_ref().is_none_or(|p| {
        let want = api.success_value.clone().unwrap_or(Value::Bool(true));
        answer.pointer(p) == Some(&want)
    });
    if connector.auth.check_refused().contains(&status.as_u16()) {
        let labels: Vec<String> = connector
            .auth
            .credentials
            .iter()
            .filter(|c| !c.optional)
            .map(|c| super::fields::in_sentence(&c.label))
            .collect();
        return Err(CheckError::Refused(format!(
            "{name} did not accept this {}: {said}. Nothing was stored.",
            join_words(&labels)
        )));
    }
    if !status.is_success() || !flag_ok {
        return Err(inconclusive(said));
    }
    let account = connector
        .auth
        .check_account
        .iter()
        .find_map(|p| answer.pointer(p).map(crate::catalog::template::text_of).filter(|s| !s.is_empty()));
    Ok(account.unwrap_or_else(|| format!("your {name} account")))
}

/// "a, b and c".
fn join_words(words: &[String]) -> String {
    match words {
        [] => "credential".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
