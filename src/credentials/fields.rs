//! What the builder typed into a credential card, checked field by field against the
//! catalog's `[auth] credentials`: the non-secret values become the connection's
//! configuration, the one secret is sealed. A value that becomes part of a host is a host
//! label and nothing more, so no typed value can move a call (and its key) elsewhere.

use super::jwt;
use crate::actions::target::is_host_label;
use crate::catalog::{Connector, Credential, CredentialFormat};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Long enough for a PEM key; anything longer is not a credential.
const MAX_VALUE_CHARS: usize = 8192;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct FieldError(pub String);

/// The checked values: configuration (kept in the connection's `config`) and the secret.
pub struct Entered {
    pub config: Map<String, Value>,
    pub secret: String,
}

impl std::fmt::Debug for Entered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entered").field("config", &self.config).field("secret", &"[REDACTED]").finish()
    }
}

/// The form's field for a credential: `cred.<name>`.
pub fn form_name(credential: &Credential) -> String {
    format!("cred.{}", credential.name)
}

pub fn parse(connector: &Connector, form: &HashMap<String, String>) -> Result<Entered, FieldError> {
    let mut config = Map::new();
    let mut secret = None;
    for credential in &connector.auth.credentials {
        let raw = form.get(&form_name(credential)).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            if credential.optional {
                continue;
            }
            return Err(FieldError(format!("{} needs its {}.", connector.name, in_sentence(&credential.label))));
        }
        let value = normalise(connector, credential, raw)?;
        if credential.secret {
            secret = Some(value);
        } else {
            config.insert(credential.name.clone(), Value::String(value));
        }
    }
    let secret =
        secret.ok_or_else(|| FieldError(format!("{} takes no secret that patchbay knows of.", connector.name)))?;
    Ok(Entered { config, secret })
}

fn normalise(connector: &Connector, credential: &Credential, raw: &str) -> Result<String, FieldError> {
    let refused =
        |why: &str| FieldError(format!("The {} for {} {why}.", in_sentence(&credential.label), connector.name));
    if raw.chars().count() > MAX_VALUE_CHARS {
        return Err(refused("is too long to be one"));
    }
    let one_line = !raw.contains(['\n', '\r']) && !raw.chars().any(char::is_control);
    match credential.format {
        CredentialFormat::Text if one_line => Ok(raw.to_owned()),
        CredentialFormat::Text => Err(refused("must be one line")),
        CredentialFormat::Id if is_host_label(raw) && !raw.contains("..") => Ok(raw.to_owned()),
        CredentialFormat::Id => Err(refused("may hold only letters, digits, dots and dashes")),
        CredentialFormat::Token if one_line && !raw.contains(char::is_whitespace) => Ok(raw.to_owned()),
        CredentialFormat::Token => Err(refused("must be one line without spaces: copy it again")),
        CredentialFormat::Subdomain => subdomain(raw, &credential.hosts).ok_or_else(|| {
            let example = credential.hosts.first().map(|h| format!(" (acme or acme{h})")).unwrap_or_default();
            refused(&format!("must be the first part of its address{example}"))
        }),
        CredentialFormat::UrlHost => url_host(raw, &credential.hosts).ok_or_else(|| {
            let example = credential.hosts.first().map(|h| format!(" (https://…{h})")).unwrap_or_default();
            refused(&format!("must be your workspace's https address{example}"))
        }),
        CredentialFormat::PrivateKey => {
            let pem = raw.replace("\r\n", "\n");
            jwt::private_key(&pem).map_err(|e| refused(&format!("is refused: {e}")))?;
            Ok(pem)
        }
    }
}

/// A label inside a sentence: "Auth token" → "auth token", but "API key" and "Account
/// SID" keep their capitals where they are an acronym.
pub fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => {
            format!("{}{}", first.to_lowercase(), &label[first.len_utf8()..])
        }
        _ => label.to_owned(),
    }
}

/// `acme`, `acme.freshdesk.com` or `https://acme.freshdesk.com/` → `acme`; underscores
/// become dashes, as account URLs spell them (Snowflake's `org_name-account`).
fn subdomain(raw: &str, suffixes: &[String]) -> Option<String> {
    let mut v = raw.to_lowercase();
    for scheme in ["https://", "http://"] {
        if let Some(rest) = v.strip_prefix(scheme) {
            v = rest.to_owned();
        }
    }
    let mut v = v.trim_end_matches('/').replace('_', "-");
    if let Some(stripped) = suffixes.iter().find_map(|s| v.strip_suffix(s.as_str())) {
        v = stripped.to_owned();
    }
    (is_host_label(&v) && !v.contains("..")).then_some(v)
}

/// An https URL (or a bare host) under one of `suffixes`, as its lowercase host.
fn url_host(raw: &str, suffixes: &[String]) -> Option<String> {
    let text = if raw.contains("://") { raw.to_owned() } else { format!("https://{raw}") };
    let url = url::Url::parse(&text).ok()?;
    let plain =
        url.scheme() == "https" && url.username().is_empty() && url.password().is_none() && url.port().is_none();
    let host = url.host_str()?.to_lowercase();
    let under = suffixes.is_empty() || suffixes.iter().any(|s| host.ends_with(s.as_str()) && host.len() > s.len());
    (plain && under && is_host_label(&host) && (url.path() == "/" || url.path().is_empty())).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_values_are_host_labels_under_the_providers_domain() {
        let fd = vec![".freshdesk.com".to_owned()];
        assert_eq!(subdomain("Acme", &fd).as_deref(), Some("acme"));
        assert_eq!(subdomain("https://acme.freshdesk.com/", &fd).as_deref(), Some("acme"));
        assert_eq!(subdomain("my_org-acct", &[]).as_deref(), Some("my-org-acct"));
        assert!(subdomain("evil.test/x", &fd).is_none());
        assert!(subdomain("169.254.169.254", &fd).is_none());
        let db = vec![".cloud.databricks.com".to_owned()];
        assert_eq!(url_host("https://dbc-1.cloud.databricks.com", &db).as_deref(), Some("dbc-1.cloud.databricks.com"));
        assert!(url_host("https://evil.test", &db).is_none());
        assert!(url_host("http://dbc-1.cloud.databricks.com", &db).is_none(), "https only");
        assert!(url_host("https://dbc-1.cloud.databricks.com@evil.test", &db).is_none());
        assert!(url_host("https://evil.test/.cloud.databricks.com", &db).is_none());
    }
}
