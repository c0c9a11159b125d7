//! How an action runs over HTTP, as a catalog file spells it (docs/actions.md): the
//! connector's `[api]` (base URL, allowed hosts, how errors read) and each action's
//! `[[actions.call]]` steps (method, path, query, body templates, what the sandbox answers).
//! The same binding drives a real provider, a stub in a test and the sandbox.

use super::template::{Placeholder, Template, TemplateError, strings_in};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `[api]`: where the connector's API lives and how it answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// Calls are made under this URL; `{config.name}` takes a value of the connection's
    /// configuration (a Shopify shop, an Atlassian site id).
    pub base_url: String,
    /// Hosts besides the base URL's that calls may reach (upload hosts); same placeholders.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Headers every call sends unless the caller sets them (`Notion-Version`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The word before the token in `Authorization` (`Bearer`, Mailchimp's `OAuth`), or
    /// nothing for a header that carries the token alone.
    #[serde(default = "bearer")]
    pub auth_scheme: String,
    /// The header that carries the token when it is not `Authorization` (Shopify's
    /// `X-Shopify-Access-Token`).
    pub auth_header: Option<String>,
    /// The query parameter that carries the token instead of a header (a custom API whose
    /// OpenAPI document puts its key in the query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_query: Option<String>,
    /// JSON pointers tried in order for the provider's own message in an error answer.
    #[serde(default)]
    pub error_message: Vec<String>,
    /// A field a successful answer carries, even a 200 (Slack's `/ok`), and the value it
    /// must have (`true` unless `success_value` says otherwise: TikTok's `"ok"`).
    pub success_flag: Option<String>,
    pub success_value: Option<Value>,
    /// What the connection needs to know besides its token, and where it is read.
    #[serde(default)]
    pub config: Vec<ConfigField>,
    /// Which kind of token the connection holds, for callers that care (Slack `user`/`bot`).
    pub token_kind: Option<String>,
    /// The provider's error answer, as the sandbox plays it: `{=status}` and `{=message}`.
    #[serde(default, deserialize_with = "json_value")]
    pub error_example: Option<Value>,
    /// The status of an error answer when the provider does not use HTTP statuses for
    /// them (Slack answers 200 with `"ok": false`).
    pub error_status: Option<u16>,
    pub docs_url: Option<String>,
    /// How a credential connector's calls carry its credentials (instead of a Bearer
    /// token): one code path per style in `credentials::style`.
    pub credential: Option<CredentialAuth>,
}

/// The styles providers document for keys and tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStyle {
    /// `value` in `header` (Stripe's `Bearer {api_key}`, Wix's bare key).
    Header,
    /// HTTP Basic with `value` as `user:password` (Twilio's SID and token).
    Basic,
    /// `value` inserted at the start of the path under the base (Telegram's `/bot{token}`).
    Path,
    /// A short-lived RS256 JWT signed with the private key, as `Bearer` (Snowflake).
    KeyPairJwt,
}

/// `[api.credential]`: the style, and templates over the connection's credentials by
/// name (`{account_sid}`; `|upper` and `|first_label` reshape a value).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialAuth {
    pub style: CredentialStyle,
    /// What is sent: the header value, `user:password`, or the path prefix; for a JWT
    /// `{=jwt}` stands for the signed token.
    #[serde(default)]
    pub value: String,
    /// The header for `header` and `key_pair_jwt` (`Authorization` unless said).
    pub header: Option<String>,
    /// More headers from the credentials (Wix's `wix-site-id`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// For `key_pair_jwt`: the credential holding the private key, and the JWT's subject
    /// (`ACCOUNT.USER`); the issuer is the subject, `.SHA256:` and the key's fingerprint.
    pub key: Option<String>,
    pub subject: Option<String>,
}

fn bearer() -> String {
    "Bearer".into()
}

/// One name, or a list of names.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Names::deserialize(d)? {
        Names::One(n) => vec![n],
        Names::Many(v) => v,
    })
}

/// A JSON value written as a TOML value, or as JSON text in a (multi-line) string, which
/// reads like the provider's reference.
pub(super) fn json_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        Some(Value::String(text)) => {
            serde_json::from_str(&text).map(Some).map_err(|e| serde::de::Error::custom(format!("invalid JSON: {e}")))
        }
        other => Ok(other),
    }
}

/// A value a connection needs besides its token, read once with the token and kept with
/// the connection. (Values the builder types, a Shopify shop, are `auth.credentials`.)
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigField {
    /// Used as `{config.name}`.
    pub name: String,
    /// What it is, in plain words ("Atlassian site id").
    pub label: String,
    /// An https URL answered for the connection's token.
    pub url: String,
    /// A JSON pointer to the value in the answer.
    pub field: String,
    /// The answer as the sandbox plays it.
    #[serde(default, deserialize_with = "json_value")]
    pub example: Option<Value>,
    /// The word before the token when the lookup wants another than the API's (Mailchimp's
    /// metadata endpoint takes `OAuth`).
    pub auth_scheme: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "GET" => Self::Get,
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "PATCH" => Self::Patch,
            "DELETE" => Self::Delete,
            _ => return None,
        })
    }
}

/// One HTTP request of an action. Most actions are one step; some need an answer first
/// (Slack's direct message opens the conversation, then posts to it).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub method: Method,
    /// Under the API's base URL: `/gmail/v1/users/me/messages/send`.
    pub path: Option<String>,
    /// An absolute URL instead (another allowed host, or one an earlier step answered).
    pub url: Option<String>,
    /// Where the sandbox serves a step whose `url` comes from an answer.
    pub sandbox_path: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A JSON body template: a TOML table, or JSON text written as the provider's
    /// reference shows it.
    #[serde(default, deserialize_with = "json_value")]
    pub json: Option<Value>,
    /// A form-encoded body.
    pub form: Option<BTreeMap<String, String>>,
    /// A multipart/form-data body; a part whose value is a file input is sent as a file.
    pub multipart: Option<BTreeMap<String, String>>,
    /// The body is a file input's bytes: `raw = "{file}"`.
    pub raw: Option<String>,
    /// Run only when these inputs are given (and not `false`) / not given.
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// Pick one item of a list answer; the step's answer becomes that item.
    pub select: Option<Select>,
    /// The Sandbox outbox line for this call ("email to {/raw/to}").
    pub summary: Option<String>,
    /// The provider's documented answer, as the sandbox plays it (a table or JSON text).
    #[serde(default, deserialize_with = "json_value")]
    pub example: Option<Value>,
    /// Its status when not 200 (Graph's `sendMail` answers 202 with no body).
    pub example_status: Option<u16>,
    /// Headers of the documented answer (LinkedIn names a new post in `x-restli-id`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub example_headers: BTreeMap<String, String>,
    /// The provider's reference page for this request.
    pub docs: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Select {
    /// A JSON pointer to the list in the answer.
    pub from: String,
    /// A JSON pointer inside each item.
    pub field: String,
    /// The value it must equal (a template).
    pub equals: String,
    /// What the action says when no item matches (a template).
    pub missing: String,
}

impl Step {
    /// The body kinds this step sends, by name (a check wants at most one).
    pub fn body_kinds(&self) -> Vec<&'static str> {
        let mut kinds = Vec::new();
        if self.json.is_some() {
            kinds.push("json");
        }
        if self.form.is_some() {
            kinds.push("form");
        }
        if self.multipart.is_some() {
            kinds.push("multipart");
        }
        if self.raw.is_some() {
            kinds.push("raw");
        }
        kinds
    }

    /// Every template of the request side, with where it sits (for checks).
    pub fn request_templates(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = Vec::new();
        out.extend(self.path.as_deref().map(|p| ("path".to_owned(), p)));
        out.extend(self.url.as_deref().map(|u| ("url".to_owned(), u)));
        out.extend(self.query.iter().map(|(k, v)| (format!("query.{k}"), v.as_str())));
        out.extend(self.headers.iter().map(|(k, v)| (format!("headers.{k}"), v.as_str())));
        out.extend(self.json.iter().flat_map(strings_in).map(|s| ("json".to_owned(), s)));
        out.extend(self.form.iter().flatten().map(|(k, v)| (format!("form.{k}"), v.as_str())));
        out.extend(self.multipart.iter().flatten().map(|(k, v)| (format!("multipart.{k}"), v.as_str())));
        out.extend(self.raw.as_deref().map(|r| ("raw".to_owned(), r)));
        if let Some(s) = &self.select {
            out.push(("select.equals".into(), &s.equals));
            out.push(("select.missing".into(), &s.missing));
        }
        out
    }

    /// The templates the sandbox renders: its answer and its outbox line.
    pub fn sandbox_templates(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> =
            self.example.iter().flat_map(strings_in).map(|s| ("example".to_owned(), s)).collect();
        out.extend(self.example_headers.iter().map(|(k, v)| (format!("example_headers.{k}"), v.as_str())));
        out.extend(self.summary.as_deref().map(|s| ("summary".to_owned(), s)));
        out
    }

    /// True when the sandbox has something to answer: a body, headers, or a documented
    /// empty answer (202, 204).
    pub fn has_example(&self) -> bool {
        self.example.is_some() || !self.example_headers.is_empty() || matches!(self.example_status, Some(202 | 204))
    }

    /// The path the sandbox matches: `sandbox_path`, the path, or an absolute URL's path.
    pub fn served_path(&self) -> Option<String> {
        if let Some(p) = self.sandbox_path.as_ref().or(self.path.as_ref()) {
            return Some(p.clone());
        }
        let url = self.url.as_deref()?;
        let rest = url.strip_prefix("https://")?;
        rest.find('/').map(|i| rest[i..].to_owned())
    }
}

/// Every placeholder of a list of templates, or the first template that does not parse.
pub fn placeholders_of<'a>(
    templates: impl IntoIterator<Item = (String, &'a str)>,
) -> Result<Vec<(String, Placeholder)>, (String, TemplateError)> {
    let mut out = Vec::new();
    for (at, text) in templates {
        let t = Template::parse(text).map_err(|e| (at.clone(), e))?;
        out.extend(t.placeholders().cloned().map(|p| (at.clone(), p)));
    }
    Ok(out)
}
