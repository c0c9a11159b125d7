//! The `[auth]` table of a catalog entry: how a provider authorizes, refreshes and revokes,
//! in the provider's own terms (docs/catalog.md). Each quirk is data here, so that the OAuth
//! client has one code path per *style*, never one per provider.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `scope_param` for providers whose authorization request carries no scopes at all: the
/// scopes are chosen once, on the app's settings page at the provider (Zoom).
pub const NO_SCOPE_PARAM: &str = "none";

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub kind: AuthKind,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub revocation_url: Option<String>,
    /// Unset: RFC 7009 with the token endpoint's client authentication (see
    /// [`Auth::revocation_style`]).
    pub revocation_style: Option<RevocationStyle>,
    /// Headers the revocation endpoint requires besides authentication (Notion-Version).
    #[serde(default)]
    pub revocation_headers: BTreeMap<String, String>,
    pub userinfo_url: Option<String>,
    /// The userinfo answer as the sandbox plays it when the userinfo URL is under the
    /// connector's API (JSON text with `{=account}`, `{=account_name}`, `{=username}`).
    pub userinfo_example: Option<String>,
    #[serde(default)]
    pub userinfo_method: HttpMethod,
    #[serde(default)]
    pub account_fields: Vec<String>,
    #[serde(default = "default_separator")]
    pub scope_separator: String,
    #[serde(default = "default_scope_param")]
    pub scope_param: String,
    #[serde(default)]
    pub base_scopes: Vec<String>,
    #[serde(default = "default_true")]
    pub pkce: bool,
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// Extra authorization parameters (`access_type = "offline"`).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Extra fields of the authorization-code exchange (Shopify's `expiring = "1"`).
    #[serde(default)]
    pub token_params: BTreeMap<String, String>,
    #[serde(default)]
    pub switch_account_params: BTreeMap<String, String>,
    /// Which accounts can connect at all.
    #[serde(default)]
    pub accounts: Accounts,
    #[serde(default)]
    pub credentials: Vec<Credential>,
    pub request_token_url: Option<String>,
    pub access_token_url: Option<String>,
    pub docs_url: Option<String>,
    /// The live call that proves typed credentials work before they are stored
    /// (Twilio's account, Telegram's getMe): a step under the API's base, without
    /// inputs; the sandbox plays it like a binding step.
    pub check: Option<super::binding::Step>,
    /// JSON pointers tried in order for the account's name in the check's answer.
    #[serde(default)]
    pub check_account: Vec<String>,
    /// Statuses of the check that mean the credentials were refused (401 and 403 unless
    /// said: Telegram answers a malformed token 404, the Graph API 400).
    pub check_refused: Option<Vec<u16>>,
    /// Where the builder withdraws a key at the provider, said when patchbay disconnects
    /// it: keys have no revocation endpoint.
    pub revoke_help: Option<String>,
}

fn default_separator() -> String {
    " ".into()
}
fn default_scope_param() -> String {
    "scope".into()
}
fn default_true() -> bool {
    true
}

impl Auth {
    /// Every URL the entry names, with the key it sits under (for checks and overrides).
    pub fn urls(&self) -> Vec<(&'static str, &str)> {
        [
            ("authorization_url", &self.authorization_url),
            ("token_url", &self.token_url),
            ("revocation_url", &self.revocation_url),
            ("userinfo_url", &self.userinfo_url),
            ("request_token_url", &self.request_token_url),
            ("access_token_url", &self.access_token_url),
            ("docs_url", &self.docs_url),
        ]
        .into_iter()
        .filter_map(|(key, url)| url.as_deref().map(|u| (key, u)))
        .collect()
    }

    /// How tokens are revoked: as the entry says, else RFC 7009 when there is an endpoint
    /// (with the client authentication the token endpoint takes, as RFC 7009 §2.1 asks),
    /// else not at all.
    pub fn check_refused(&self) -> Vec<u16> {
        self.check_refused.clone().unwrap_or_else(|| vec![401, 403])
    }

    /// The one secret of a credential connector (its key or token).
    pub fn secret_credential(&self) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.secret)
    }

    pub fn revocation_style(&self) -> RevocationStyle {
        match (self.revocation_style, &self.revocation_url) {
            (Some(style), _) => style,
            (None, Some(_)) => RevocationStyle::rfc7009(self.client_auth),
            (None, None) => RevocationStyle::None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    Oauth2,
    Oauth1,
    ApiKey,
    Workspace,
}

impl AuthKind {
    /// Connected by signing in at the provider (OAuth 2.0 or OAuth 1.0a), not by typing
    /// credentials.
    pub fn signs_in(self) -> bool {
        matches!(self, Self::Oauth2 | Self::Oauth1)
    }

    /// How the approval card names what the builder will be asked for.
    /// True for kinds connected by typing credentials into the card (API keys, bot
    /// tokens, workspace credentials) instead of signing in.
    pub fn typed(self) -> bool {
        matches!(self, Self::ApiKey | Self::Workspace)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Oauth2 => "OAuth 2.0 sign-in",
            Self::Oauth1 => "OAuth 1.0a sign-in",
            Self::ApiKey => "an API key or token",
            Self::Workspace => "workspace credentials",
        }
    }
}

/// The shape of a provider's revocation request. A provider that is sent another shape
/// answers with an error, or worse with a 200 that revoked nothing, so the style is a
/// fact from the provider's documentation like its endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStyle {
    /// RFC 7009: a form `token=…&token_type_hint=…`, the client in a Basic header.
    FormBasic,
    /// RFC 7009 with `client_id` and `client_secret` in the form instead.
    FormBody,
    /// A JSON body `{"token": …}`, the client in a Basic header (Notion, QuickBooks).
    JsonBasic,
    /// The token being revoked is the request's own Bearer credential (Slack, Dropbox).
    Bearer,
    /// `?token=…` in the query string, the client in a Basic header (Zoom, Zoho).
    Query,
    /// GitHub: `DELETE /applications/{client_id}/grant`, the client in a Basic header and
    /// `{"access_token": …}` in the body.
    BasicDelete,
    /// OAuth 1.0a: a `DELETE` of the revocation URL with `{token}` filled in, signed like
    /// any call with the token (Trello's `DELETE /1/tokens/{token}`).
    SignedDelete,
    /// The provider has no way to revoke: access is removed in its account settings.
    None,
}

impl RevocationStyle {
    pub const ALL: [RevocationStyle; 8] = [
        Self::FormBasic,
        Self::FormBody,
        Self::JsonBasic,
        Self::Bearer,
        Self::Query,
        Self::BasicDelete,
        Self::SignedDelete,
        Self::None,
    ];

    /// RFC 7009 with the client authentication the token endpoint takes.
    pub fn rfc7009(client_auth: ClientAuth) -> Self {
        match client_auth {
            ClientAuth::Basic => Self::FormBasic,
            ClientAuth::Body => Self::FormBody,
        }
    }

    /// The catalog's spelling, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FormBasic => "form_basic",
            Self::FormBody => "form_body",
            Self::JsonBasic => "json_basic",
            Self::Bearer => "bearer",
            Self::Query => "query",
            Self::BasicDelete => "basic_delete",
            Self::SignedDelete => "signed_delete",
            Self::None => "none",
        }
    }

    /// True when the provider must be sent the access token: as the request's Bearer
    /// credential, which only an access token can be, or in GitHub's `access_token` field.
    /// The other styles revoke the refresh token when there is one, which ends the grant.
    pub fn sends_access_token(self) -> bool {
        matches!(self, Self::Bearer | Self::BasicDelete | Self::SignedDelete)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    #[default]
    Basic,
    Body,
}

/// Which accounts a provider accepts for a connector, or for one of its operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Accounts {
    #[default]
    Any,
    /// Work or school accounts only: Microsoft's `organizations` tenant, or Graph APIs
    /// that say "Delegated (personal Microsoft account): Not supported".
    WorkOrSchool,
}

impl Accounts {
    /// What the approval card says before anyone signs in, so that the limit is known
    /// before a personal account is refused.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Self::Any => None,
            Self::WorkOrSchool => Some("Needs a work or school account: personal accounts are refused."),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub secret: bool,
    /// Where the builder finds the value, in one sentence from the provider's docs.
    pub help: Option<String>,
    #[serde(default)]
    pub format: CredentialFormat,
    /// For `url_host`: the host must end with one of these; for `subdomain`: the suffix
    /// a typed full host may carry (`.freshdesk.com`).
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub optional: bool,
    /// The value the sandbox accepts (listed on its developer console page). Public on
    /// purpose: the sandbox guards nothing.
    pub sandbox: Option<String>,
}

/// What a typed value must look like. Values that become part of a host are checked as
/// host labels, so that no value can move a call (and its credential) elsewhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialFormat {
    /// One line of text (a user name, a warehouse).
    #[default]
    Text,
    /// An id that may sit in a URL: letters, digits, dots and dashes (an account SID).
    Id,
    /// The first label(s) of the provider's host: `acme` or `acme.freshdesk.com`.
    Subdomain,
    /// An https URL of the customer's own host under one of `hosts`; its host is kept.
    UrlHost,
    /// A token or key: one line, no spaces.
    Token,
    /// An unencrypted PKCS#8 PEM private key (Snowflake's key pair).
    PrivateKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(extra: &str) -> Auth {
        toml::from_str(&format!("kind = \"oauth2\"\n{extra}")).unwrap()
    }

    #[test]
    fn an_unstated_revocation_style_follows_the_token_endpoints_client_authentication() {
        let url = "revocation_url = \"https://p.example/revoke\"\n";
        assert_eq!(auth(url).revocation_style(), RevocationStyle::FormBasic);
        assert_eq!(auth(&format!("{url}client_auth = \"body\"")).revocation_style(), RevocationStyle::FormBody);
        assert_eq!(
            auth("client_auth = \"body\"").revocation_style(),
            RevocationStyle::None,
            "no endpoint, no revoking"
        );
        assert_eq!(auth(&format!("{url}revocation_style = \"bearer\"")).revocation_style(), RevocationStyle::Bearer);
    }

    #[test]
    fn every_revocation_style_is_spelled_as_the_catalog_spells_it() {
        for style in RevocationStyle::ALL {
            let parsed: Auth = auth(&format!("revocation_style = \"{}\"", style.as_str()));
            assert_eq!(parsed.revocation_style, Some(style));
        }
    }
}
