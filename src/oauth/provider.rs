//! Where and how to authorize one connector: the catalog's endpoints and quirks, the
//! client credentials from settings (with endpoint overrides for tests and self-hosted
//! providers), or — in development, for connectors nobody configured — the built-in
//! sandbox, reached through exactly the same client code.

use super::oauth1::OAuth1Endpoints;
use crate::catalog::{AuthKind, ClientAuth, Connector, HttpMethod, RevocationStyle};
use crate::config::Settings;
use secrecy::SecretString;
use std::collections::BTreeMap;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProviderError {
    #[error("{name} connects with {kind}, which patchbay does not support yet")]
    Unsupported { name: String, kind: &'static str },
    #[error(
        "{name} is not set up on this server: an administrator needs to set PATCHBAY_CONNECTORS__{upper}__CLIENT_ID and __CLIENT_SECRET"
    )]
    NotConfigured { name: String, upper: String },
    #[error("{name} needs your own account address before it can connect ({url}): enter it beside the Connect button")]
    NeedsAccountAddress { name: String, url: String },
    #[error("{name}'s {what} '{url}' is not a valid https URL")]
    BadUrl { name: String, what: &'static str, url: String },
}

#[derive(Clone, Debug)]
pub struct Provider {
    pub connector: String,
    pub name: String,
    pub authorization_url: String,
    pub token_url: String,
    pub revocation_url: Option<String>,
    pub revocation_style: RevocationStyle,
    pub revocation_headers: BTreeMap<String, String>,
    pub userinfo_url: Option<String>,
    pub userinfo_method: HttpMethod,
    pub account_fields: Vec<String>,
    pub scope_separator: String,
    pub scope_param: String,
    pub pkce: bool,
    pub client_auth: ClientAuth,
    pub params: BTreeMap<String, String>,
    pub token_params: BTreeMap<String, String>,
    pub switch_account_params: BTreeMap<String, String>,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    /// The built-in sandbox stands in for the provider.
    pub sandbox: bool,
    /// OAuth 1.0a (`kind = "oauth1"`): where the temporary credentials come from. The
    /// client id and secret are then the consumer key and secret, `token_url` gives the
    /// token credentials, and every request is signed (RFC 5849).
    pub oauth1: Option<OAuth1Endpoints>,
}

impl Provider {
    pub fn resolve(connector: &Connector, settings: &Settings) -> Result<Self, ProviderError> {
        Self::resolve_for(connector, settings, &serde_json::Map::new())
    }

    /// With the values the builder typed for this connection (`{shop}` in Shopify's
    /// endpoints) filled into its endpoints.
    pub fn resolve_for(
        connector: &Connector,
        settings: &Settings,
        typed: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, ProviderError> {
        Self::resolve_with(connector, settings, typed, None)
    }

    /// With an app's own OAuth client (an app user connector's), when it has one: then the
    /// provider's real endpoints (or the server's overrides of them) are used, never the
    /// sandbox, which knows only its own clients.
    pub fn resolve_with(
        connector: &Connector,
        settings: &Settings,
        typed: &serde_json::Map<String, serde_json::Value>,
        own_client: Option<(String, SecretString)>,
    ) -> Result<Self, ProviderError> {
        let name = connector.name.clone();
        if !connector.auth.kind.signs_in() {
            return Err(ProviderError::Unsupported { name, kind: connector.auth.kind.describe() });
        }
        let oauth1 = (connector.auth.kind == AuthKind::Oauth1).then(|| OAuth1Endpoints {
            request_token_url: connector.auth.request_token_url.clone().unwrap_or_default(),
        });
        let overrides = settings.connector(connector.id.as_str());
        let configured = overrides.filter(|c| c.client_id.is_some() || own_client.is_some());
        let auth = &connector.auth;
        let mut p = Provider {
            connector: connector.id.to_string(),
            name: name.clone(),
            authorization_url: auth.authorization_url.clone().unwrap_or_default(),
            token_url: auth.token_url.clone().or_else(|| auth.access_token_url.clone()).unwrap_or_default(),
            revocation_url: auth.revocation_url.clone(),
            revocation_style: auth.revocation_style(),
            revocation_headers: auth.revocation_headers.clone(),
            userinfo_url: auth.userinfo_url.clone(),
            userinfo_method: auth.userinfo_method,
            account_fields: auth.account_fields.clone(),
            scope_separator: auth.scope_separator.clone(),
            scope_param: auth.scope_param.clone(),
            pkce: auth.pkce,
            client_auth: auth.client_auth,
            params: auth.params.clone(),
            token_params: auth.token_params.clone(),
            switch_account_params: auth.switch_account_params.clone(),
            client_id: String::new(),
            client_secret: None,
            sandbox: false,
            oauth1,
        };
        match configured {
            Some(c) => {
                p.client_id = c.client_id.clone().unwrap_or_default();
                p.client_secret = c.client_secret.clone();
                if let Some((id, secret)) = &own_client {
                    (p.client_id, p.client_secret) = (id.clone(), Some(secret.clone()));
                }
                override_with(&mut p.authorization_url, &c.authorization_url);
                override_with(&mut p.token_url, &c.token_url);
                if let (Some(o), Some(url)) = (p.oauth1.as_mut(), &c.request_token_url) {
                    o.request_token_url = url.clone();
                }
                if c.revocation_url.is_some() {
                    p.revocation_url = c.revocation_url.clone();
                    if p.revocation_style == RevocationStyle::None {
                        // An endpoint the catalog does not know of: assume the standard.
                        p.revocation_style = RevocationStyle::rfc7009(p.client_auth);
                    }
                }
                // GitHub's revocation path names the client: `/applications/{client_id}/grant`.
                p.revocation_url = p.revocation_url.map(|u| u.replace("{client_id}", &p.client_id));
                if c.userinfo_url.is_some() {
                    p.userinfo_url = c.userinfo_url.clone();
                }
                p.fill(typed);
                p.check_urls(c.allow_insecure_endpoints)?;
            }
            None if let Some((id, secret)) = own_client => {
                (p.client_id, p.client_secret) = (id, Some(secret));
                p.revocation_url = p.revocation_url.map(|u| u.replace("{client_id}", &p.client_id));
                p.fill(typed);
                p.check_urls(false)?;
            }
            None if settings.sandbox_enabled() && p.oauth1.is_some() => p.use_oauth1_sandbox(connector, settings),
            None if settings.sandbox_enabled() => p.use_sandbox(&settings.public_url()),
            None => return Err(ProviderError::NotConfigured { name, upper: connector.id.as_str().to_uppercase() }),
        }
        Ok(p)
    }

    /// The sandbox speaks plain OAuth 2.0: standard scope parameter and separator, PKCE,
    /// client secret in a basic header, RFC 7009 revocation, a userinfo endpoint, and no
    /// provider-specific token or revocation fields.
    fn use_sandbox(&mut self, public_url: &str) {
        let e = crate::sandbox::endpoints(public_url);
        self.authorization_url = e.authorization_url;
        self.token_url = e.token_url;
        self.revocation_url = Some(e.revocation_url);
        self.revocation_style = RevocationStyle::FormBasic;
        self.revocation_headers.clear();
        self.token_params.clear();
        self.userinfo_url = Some(e.userinfo_url);
        self.userinfo_method = HttpMethod::Get;
        self.account_fields = crate::sandbox::ACCOUNT_FIELDS.iter().map(|f| (*f).to_owned()).collect();
        self.scope_separator = " ".into();
        self.scope_param = "scope".into();
        self.pkce = true;
        self.client_auth = ClientAuth::Basic;
        self.client_id = crate::sandbox::client_id(&self.connector);
        self.client_secret = Some(SecretString::from(crate::sandbox::client_secret()));
        self.sandbox = true;
    }

    /// The sandbox plays an OAuth 1.0a provider with its own three endpoints, and its API
    /// (under `/sandbox/api/<id>`) answers the catalog's userinfo and revocation requests,
    /// all signed with the sandbox client's consumer key and secret.
    fn use_oauth1_sandbox(&mut self, connector: &Connector, settings: &Settings) {
        let e = crate::sandbox::oauth1_endpoints(&settings.public_url());
        self.oauth1 = Some(OAuth1Endpoints { request_token_url: e.request_token_url });
        self.authorization_url = e.authorization_url;
        self.token_url = e.access_token_url;
        let api = crate::sandbox::api_base(&settings.public_url(), connector.id.as_str());
        let under_api = |url: &str| crate::sandbox::rebase(connector, url, &api);
        self.userinfo_url = self.userinfo_url.as_deref().map(under_api);
        self.revocation_url = self.revocation_url.as_deref().map(under_api);
        self.client_id = crate::sandbox::client_id(&self.connector);
        self.client_secret = Some(SecretString::from(crate::sandbox::client_secret()));
        self.sandbox = true;
    }

    /// Puts each typed value in place of its `{name}`. Only host-name characters are
    /// taken, so a value cannot move an endpoint elsewhere; anything else leaves the
    /// placeholder, which `check_urls` then refuses.
    fn fill(&mut self, typed: &serde_json::Map<String, serde_json::Value>) {
        let safe = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        let values: Vec<(String, &str)> =
            typed.iter().filter_map(|(k, v)| v.as_str().filter(|v| safe(v)).map(|v| (format!("{{{k}}}"), v))).collect();
        let fill = |url: &mut String| values.iter().for_each(|(k, v)| *url = url.replace(k, v));
        fill(&mut self.authorization_url);
        fill(&mut self.token_url);
        self.revocation_url.iter_mut().for_each(fill);
        self.userinfo_url.iter_mut().for_each(fill);
    }

    fn check_urls(&self, allow_insecure: bool) -> Result<(), ProviderError> {
        let mut urls = vec![("authorization URL", &self.authorization_url), ("token URL", &self.token_url)];
        if let Some(o) = &self.oauth1 {
            urls.push(("request token URL", &o.request_token_url));
        }
        if let Some(u) = &self.revocation_url {
            urls.push(("revocation URL", u));
        }
        if let Some(u) = &self.userinfo_url {
            urls.push(("userinfo URL", u));
        }
        for (what, url) in urls {
            // `{token}` is filled at revocation time (Trello's `DELETE /1/tokens/{token}`).
            let url = &url.replace("{token}", "token");
            if url.contains('{') {
                return Err(ProviderError::NeedsAccountAddress { name: self.name.clone(), url: url.clone() });
            }
            let ok =
                url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" || (allow_insecure && u.scheme() == "http"));
            if !ok {
                return Err(ProviderError::BadUrl { name: self.name.clone(), what, url: url.clone() });
            }
        }
        Ok(())
    }

    /// What the consent screen and the card call the provider.
    pub fn display_name(&self) -> String {
        if self.sandbox { format!("Sandbox {}", self.name) } else { self.name.clone() }
    }
}

fn override_with(target: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        *target = v.clone();
    }
}
