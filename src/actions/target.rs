//! Where a connection's calls may go. Every URL patchbay sends a token to is built here and
//! checked here: under the API's base URL, or on a host the catalog allows, over https
//! (plain http only for the sandbox on a local address and for stubs a test configures).
//! The proxy's caller-given paths pass `safe_path` first, so that no spelling of `..`, `@`
//! or an encoded slash can move a call off the API it was meant for.

use crate::catalog::Connector;
use crate::catalog::template::{Resolve, Source, Template};
use crate::config::Settings;
use serde_json::{Map, Value};
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("{0} has no API that patchbay can call")]
    NoApi(String),
    #[error("{name} needs its {label} before patchbay can call it; reconnect it to give it")]
    MissingConfig { name: String, label: String },
    #[error("{0}")]
    BadBase(String),
    #[error("the path is refused: {0}")]
    BadPath(&'static str),
    #[error("{0} is not a host this connection may call")]
    HostRefused(String),
}

/// The base URL and hosts of one connection's API.
#[derive(Clone, Debug)]
pub struct Target {
    base: Url,
    hosts: Vec<String>,
    /// Absolute step URLs move under `base` (the sandbox, a stub or a self-hosted API).
    rebased: bool,
    insecure: bool,
    /// The sandbox plays the provider.
    pub sandbox: bool,
}

impl Target {
    /// The API of `connector` for a connection with this configuration: a base URL from
    /// settings first (`connectors.<id>.api_base_url`), else the sandbox when it stands in
    /// for the provider, else the catalog's.
    pub fn resolve(
        connector: &Connector,
        settings: &Settings,
        config: &Map<String, Value>,
    ) -> Result<Self, TargetError> {
        let api = connector.api.as_ref().ok_or_else(|| TargetError::NoApi(connector.name.clone()))?;
        if connector.id.is_custom() {
            // Its host was fixed, and checked, when the editor imported it.
            let local = settings.actions.allow_local_custom_apis && !settings.is_production();
            let base =
                Url::parse(api.base_url.trim_end_matches('/')).map_err(|e| TargetError::BadBase(e.to_string()))?;
            return Ok(Self { hosts: vec![host_of(&base)], base, rebased: false, insecure: local, sandbox: false });
        }
        let configured = settings.connector(connector.id.as_str());
        if let Some(base) = configured.and_then(|c| c.api_base_url.as_deref()) {
            let insecure = configured.is_some_and(|c| c.allow_insecure_endpoints);
            return Self::rebased(base, insecure, false);
        }
        // A credential connector has no client to configure: in development the sandbox
        // plays it unless settings name its API (above).
        let sandbox = match connector.auth.kind.typed() {
            true => settings.sandbox_enabled(),
            false => crate::oauth::Provider::resolve(connector, settings).is_ok_and(|p| p.sandbox),
        };
        if sandbox {
            let base = format!("{}{}/{}", settings.public_url(), crate::sandbox::API_PATH, connector.id);
            return Self::rebased(&base, true, true);
        }
        let filled = |text: &str| fill(text, connector, config);
        let base = Url::parse(&filled(&api.base_url)?).map_err(|e| TargetError::BadBase(e.to_string()))?;
        let mut hosts = vec![host_of(&base)];
        for h in &api.allowed_hosts {
            hosts.push(filled(h)?);
        }
        Ok(Self { base, hosts, rebased: false, insecure: false, sandbox: false })
    }

    fn rebased(base: &str, insecure: bool, sandbox: bool) -> Result<Self, TargetError> {
        let base = Url::parse(base.trim_end_matches('/')).map_err(|e| TargetError::BadBase(e.to_string()))?;
        Ok(Self { hosts: vec![host_of(&base)], base, rebased: true, insecure, sandbox })
    }

    /// True when absolute step URLs move under the base (sandbox, stub, self-hosted).
    pub fn is_rebased(&self) -> bool {
        self.rebased
    }

    /// The base URL without a trailing slash, as callers configure clients with it.
    pub fn base_url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    /// A path under the base (already encoded, starting with '/').
    pub fn join(&self, path: &str, query: Option<&str>) -> Result<Url, TargetError> {
        let mut text = format!("{}{path}", self.base_url());
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            text.push('?');
            text.push_str(q);
        }
        let url = Url::parse(&text).map_err(|_| TargetError::BadPath("it does not make a URL"))?;
        if !url.path().starts_with(self.base.path().trim_end_matches('/')) {
            return Err(TargetError::BadPath("it leaves the API's base path"));
        }
        self.check(&url)?;
        Ok(url)
    }

    /// An absolute URL of a step: moved under the base when the API is rebased,
    /// otherwise checked against the allowed hosts.
    pub fn absolute(&self, raw: &str) -> Result<Url, TargetError> {
        let url = Url::parse(raw).map_err(|_| TargetError::BadPath("it is not a URL"))?;
        if self.rebased && !self.hosts.contains(&host_of(&url)) {
            let path = if url.path() == "/" { "" } else { url.path() };
            return self.join(path, url.query());
        }
        self.check(&url)?;
        Ok(url)
    }

    /// The scheme, host and credentials of a URL about to receive a token.
    pub fn check(&self, url: &Url) -> Result<(), TargetError> {
        let scheme_ok = url.scheme() == "https" || (self.insecure && url.scheme() == "http");
        if !scheme_ok || !url.username().is_empty() || url.password().is_some() {
            return Err(TargetError::HostRefused(url.origin().ascii_serialization()));
        }
        let host = host_of(url);
        if !self.hosts.contains(&host) {
            return Err(TargetError::HostRefused(host));
        }
        Ok(())
    }
}

/// `host` or `host:port`, lowercase, as allowed hosts are written.
fn host_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_lowercase();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// A catalog URL or host with the connection's configuration filled in. Values become
/// host labels or path segments only: a value that could move the call elsewhere is
/// refused.
fn fill(text: &str, connector: &Connector, config: &Map<String, Value>) -> Result<String, TargetError> {
    let template = Template::parse(text).map_err(|e| TargetError::BadBase(e.to_string()))?;
    let values = ConfigValues(config);
    if let Some(missing) = template.placeholders().find_map(|p| match &p.source {
        Source::Config(n) if values.resolve(&p.source).is_none() => Some(n.clone()),
        _ => None,
    }) {
        let label = connector
            .api
            .iter()
            .flat_map(|a| &a.config)
            .find(|f| f.name == missing)
            .map_or(missing.clone(), |f| f.label.clone());
        return Err(TargetError::MissingConfig { name: connector.name.clone(), label });
    }
    template
        .render_text(&values, &|_, v| {
            if is_host_label(v) {
                Ok(v.to_owned())
            } else {
                Err(crate::catalog::template::RenderError(format!("'{v}' is not a host name or an id")))
            }
        })
        .map_err(|e| TargetError::BadBase(e.to_string()))?
        .ok_or_else(|| TargetError::BadBase("a placeholder has no value".into()))
}

struct ConfigValues<'a>(&'a Map<String, Value>);
impl Resolve for ConfigValues<'_> {
    fn resolve(&self, source: &Source) -> Option<Value> {
        match source {
            Source::Config(n) => self.0.get(n).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())).cloned(),
            _ => None,
        }
    }
}

/// A host name (not an IP address: its last label has a letter) or an id: letters,
/// digits, dots and dashes.
pub fn is_host_label(v: &str) -> bool {
    let chars_ok =
        !v.is_empty() && v.len() <= 253 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let labels_ok = v.split('.').all(|l| !l.is_empty() && !l.starts_with('-'));
    let not_ip = v.rsplit('.').next().is_some_and(|last| last.bytes().any(|b| b.is_ascii_alphabetic()));
    chars_ok && labels_ok && (not_ip || !v.contains('.'))
}

/// Refuses a caller's path that could leave the API: dot segments in any spelling, an
/// `@`, backslashes, encoded slashes, empty segments, an absolute URL, or an escape that
/// is not one.
pub fn safe_path(raw: &str) -> Result<(), TargetError> {
    if raw.starts_with('/') || raw.contains("//") {
        return Err(TargetError::BadPath("empty segments and absolute paths are not allowed"));
    }
    if raw.contains(['@', '\\']) || raw.contains("://") {
        return Err(TargetError::BadPath("'@', '\\' and absolute URLs are not allowed"));
    }
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
            let Some(hex) = hex else { return Err(TargetError::BadPath("a '%' that is not an escape")) };
            let byte = u8::from_str_radix(hex, 16).unwrap_or(0);
            if matches!(byte, b'/' | b'\\' | b'.' | b'@' | b'%' | b'?' | b'#') || byte < 0x20 {
                return Err(TargetError::BadPath("encoded slashes, dots, '@', '%', '?' and '#' are not allowed"));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    if raw.split('/').any(|s| s == "." || s == "..") {
        return Err(TargetError::BadPath("'.' and '..' segments are not allowed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn real(id: &str, config: Map<String, Value>) -> Result<Target, TargetError> {
        let settings = Settings { env: crate::config::Environment::Production, ..Settings::default() };
        Target::resolve(Catalog::embedded().unwrap().get(id).unwrap(), &settings, &config)
    }

    #[test]
    fn paths_that_could_leave_the_api_are_refused() {
        for bad in [
            "..",
            "a/../b",
            "%2e%2e/x",
            "a/%2E%2e",
            "x%2fy",
            "x%2Fy",
            "x%5cy",
            "@evil.test",
            "a%40b",
            "/etc",
            "a//b",
            "http://evil",
            "a\\b",
            "%zz",
            "a%00b",
            "%252e%252e",
        ] {
            assert!(safe_path(bad).is_err(), "{bad} was allowed");
        }
        for good in ["", "gmail/v1/users/me/messages", "files/a%20b.txt", "search(q='x')", "v1.0/me"] {
            assert!(safe_path(good).is_ok(), "{good} was refused");
        }
    }

    #[test]
    fn a_connection_calls_only_its_apis_hosts_over_https() {
        let gmail = real("gmail", Map::new()).unwrap();
        assert!(gmail.join("/gmail/v1/users/me/profile", Some("a=1")).is_ok());
        assert!(gmail.absolute("https://169.254.169.254/latest/meta-data").is_err());
        assert!(gmail.absolute("http://gmail.googleapis.com/x").is_err(), "plain http carries no token");
        assert!(gmail.absolute("https://user@gmail.googleapis.com/x").is_err());
    }

    #[test]
    fn per_customer_hosts_come_from_the_connection_and_must_be_host_names() {
        let mut config = Map::new();
        assert!(matches!(real("jira", config.clone()), Err(TargetError::MissingConfig { .. })));
        config.insert("cloud_id".into(), Value::String("11223344-a1b2-3b33-c444-def123456789".into()));
        let jira = real("jira", config).unwrap();
        assert_eq!(jira.base_url(), "https://api.atlassian.com/ex/jira/11223344-a1b2-3b33-c444-def123456789");
        let shop = Map::from_iter([("shop".to_owned(), Value::String("acme-store".into()))]);
        assert_eq!(real("shopify", shop).unwrap().base_url(), "https://acme-store.myshopify.com/admin/api/2026-04");
        let sneaky = Map::from_iter([("shop".to_owned(), Value::String("evil.example/x".into()))]);
        assert!(real("shopify", sneaky).is_err(), "a typed value is a host label, nothing more");
        assert!(!is_host_label("169.254.169.254"));
        assert!(!is_host_label("evil.test/x"));
        assert!(is_host_label("acme"));
    }
}
