//! A connection's configuration: what its provider's API needs besides the token (an
//! Atlassian site id, a Mailchimp data centre, a Salesforce instance). Values the catalog
//! says can be looked up are read once with the token and kept with the connection; the
//! host's backend gets them with the token (`?include=token`), as `config`.

use super::request::Prepared;
use super::send::read_limited;
use super::target::{Target, TargetError, is_host_label};
use super::{ActionError, Runner, default_headers};
use crate::catalog::Connector;
use crate::catalog::binding::Method;
use crate::store::ConnectionRow;
use serde_json::{Map, Value};

/// The answer of a lookup is small; anything larger is not the document asked for.
const MAX_LOOKUP_BYTES: usize = 1024 * 1024;

/// The connection's configuration with every missing lookup done and stored.
pub async fn complete(
    runner: &Runner,
    connector: &Connector,
    row: &ConnectionRow,
) -> Result<Map<String, Value>, ActionError> {
    let mut config = row.config()?;
    let Some(api) = &connector.api else { return Ok(config) };
    let missing: Vec<_> = api.config.iter().filter(|f| !config.contains_key(&f.name)).collect();
    if missing.is_empty() {
        return Ok(config);
    }
    // The sandbox and stubs serve lookups under their own base; real lookups go to the
    // catalog's own https URL.
    let rebased = match Target::resolve(connector, runner.settings(), &config) {
        Ok(t) if t.is_rebased() => Some(t),
        Ok(_) | Err(TargetError::MissingConfig { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let headers = default_headers(connector);
    for field in missing {
        let mut sender = runner.sender(connector, row, &headers);
        if let Some(scheme) = &field.auth_scheme {
            sender.scheme = scheme;
        }
        let (raw_url, pointer) = (&field.url, &field.field);
        let url = match &rebased {
            Some(t) => t.absolute(raw_url)?,
            None => url::Url::parse(raw_url).map_err(|e| ActionError::Lookup(e.to_string()))?,
        };
        let failed =
            |why: String| ActionError::Lookup(format!("could not find {}'s {}: {why}", connector.name, field.label));
        let request = Prepared { method: Method::Get, url, headers: Vec::new(), body: None };
        let sent = sender.send(&request).await.map_err(|e| failed(e.to_string()))?;
        let status = sent.response.status();
        if !status.is_success() {
            return Err(failed(format!("{} answered {status}", connector.name)));
        }
        let body = read_limited(sent.response, MAX_LOOKUP_BYTES).await.map_err(|e| failed(e.to_string()))?;
        let answer: Value = body.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
        let value = answer.pointer(pointer).map(crate::catalog::template::text_of).unwrap_or_default();
        let value = host_if_url(&value);
        if !is_host_label(&value) {
            return Err(failed(format!("the answer held no usable {} at {pointer}", field.label)));
        }
        config.insert(field.name.clone(), Value::String(value));
    }
    runner.store().set_connection_config(row.id, &config).await?;
    Ok(config)
}

/// An instance URL (`https://acme.my.salesforce.com`) is kept as its host.
fn host_if_url(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(u) if u.scheme() == "https" => u.host_str().unwrap_or_default().to_owned(),
        _ => value.to_owned(),
    }
}

/// What the host's backend needs beside the token, as `?include=token` answers it: the
/// API base URL, the connection's configuration, and the token kind where it matters.
pub fn for_caller(connector: &Connector, target: &Target, config: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("api_base_url".into(), Value::String(target.base_url()));
    for (k, v) in config {
        out.insert(k.clone(), v.clone());
    }
    if let Some(kind) = connector.api.as_ref().and_then(|a| a.token_kind.as_ref()) {
        out.insert("token_kind".into(), Value::String(kind.clone()));
    }
    if target.sandbox {
        out.insert("sandbox".into(), Value::Bool(true));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_urls_are_kept_as_hosts() {
        assert_eq!(host_if_url("https://acme.my.salesforce.com"), "acme.my.salesforce.com");
        assert_eq!(host_if_url("us6"), "us6");
    }
}
