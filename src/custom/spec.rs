//! What patchbay keeps of an imported API: its name, the host fixed at import, how the
//! secret is sent, and the chosen operations already turned into inputs and a request
//! shape. Stored as JSON with the API (the document itself is not kept), and made into a
//! connector on use (`materialise`).

use crate::catalog::InputKind;
use crate::catalog::binding::Method;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiSpec {
    pub name: String,
    /// The API's base URL, checked at import: every call goes under it.
    pub base_url: String,
    pub auth: AuthSpec,
    pub operations: Vec<OperationSpec>,
}

/// Where the secret goes on each call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthSpec {
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// An API key in the header the document names (`X-API-Key: <secret>`).
    Header { name: String },
    /// An API key in the query parameter the document names (`?api_key=<secret>`).
    Query { name: String },
}

impl AuthSpec {
    /// The choice as a form value: `bearer`, `header:X-API-Key`, `query:api_key`.
    pub fn key(&self) -> String {
        match self {
            Self::Bearer => "bearer".into(),
            Self::Header { name } => format!("header:{name}"),
            Self::Query { name } => format!("query:{name}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        match key.split_once(':') {
            None if key == "bearer" => Some(Self::Bearer),
            Some(("header", name)) if !name.is_empty() => Some(Self::Header { name: name.to_owned() }),
            Some(("query", name)) if !name.is_empty() => Some(Self::Query { name: name.to_owned() }),
            _ => None,
        }
    }

    /// In words, for the page.
    pub fn label(&self) -> String {
        match self {
            Self::Bearer => "Bearer secret in the Authorization header".into(),
            Self::Header { name } => format!("API key in the {name} header"),
            Self::Query { name } => format!("API key in the {name} query parameter"),
        }
    }
}

/// One chosen operation, as an action: `path` is a template whose placeholders are input
/// names; `query`, `headers` and the body map the API's names to input names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperationSpec {
    pub id: String,
    pub name: String,
    pub description: String,
    pub method: Method,
    /// The path as the document writes it, for the page (`/pets/{petId}`).
    pub shown_path: String,
    pub path: String,
    pub inputs: Vec<InputSpec>,
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<BodySpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    pub name: String,
    pub kind: InputKind,
    pub required: bool,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BodySpec {
    /// A JSON object: each member from its input.
    JsonFields { fields: BTreeMap<String, String> },
    /// Any JSON, given whole as one input.
    Json { input: String },
    /// A form: each field from its input.
    Form { fields: BTreeMap<String, String> },
}
