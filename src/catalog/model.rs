//! The connector model, exactly as a catalog file spells it (docs/catalog.md).
//! Unknown keys are refused so that a typo in a catalog file is an error, not a silently
//! missing permission.

use super::auth::{Accounts, Auth};
use super::binding::{Api, Step};
use super::ids::ConnectorId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connector {
    pub id: ConnectorId,
    pub name: String,
    pub category: Category,
    pub description: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub ambiguous_aliases: Vec<String>,
    #[serde(default)]
    pub case_sensitive_aliases: Vec<String>,
    pub popularity: u8,
    pub example_prompts: Vec<String>,
    pub auth: Auth,
    /// Where its API lives, for actions and the proxy (docs/actions.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub actions: Vec<Operation>,
    #[serde(default)]
    pub triggers: Vec<Operation>,
}

impl Connector {
    /// Actions first, then triggers: every operation the connector offers.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.actions.iter().chain(self.triggers.iter())
    }

    pub fn action(&self, id: &str) -> Option<&Operation> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn trigger(&self, id: &str) -> Option<&Operation> {
        self.triggers.iter().find(|t| t.id == id)
    }

    /// Actions patchbay can run, and those it cannot yet.
    pub fn bound_actions(&self) -> impl Iterator<Item = &Operation> {
        self.actions.iter().filter(|a| a.is_bound())
    }

    pub fn unbound_actions(&self) -> impl Iterator<Item = &Operation> {
        self.actions.iter().filter(|a| !a.is_bound())
    }

    /// What the builder types when connecting an OAuth 2.0 connector whose endpoints live
    /// on the customer's own host (a Shopify shop): `{name}` in its auth URLs, and
    /// `{config.name}` in its API's, once the connection keeps it.
    pub fn typed_values(&self) -> impl Iterator<Item = &super::auth::Credential> {
        let oauth = self.auth.kind == super::auth::AuthKind::Oauth2;
        self.auth.credentials.iter().filter(move |c| oauth && !c.secret)
    }

    /// The non-secret values a connection keeps in its configuration, whatever its kind:
    /// a Shopify shop typed before sign-in, or a Twilio account SID typed with its token.
    pub fn config_credentials(&self) -> impl Iterator<Item = &super::auth::Credential> {
        let kept = self.auth.kind == super::auth::AuthKind::Oauth2 || self.auth.kind.typed();
        self.auth.credentials.iter().filter(move |c| kept && !c.secret)
    }

    pub fn permission(&self, scope: &str) -> Option<&Permission> {
        self.permissions.iter().find(|p| p.scope == scope)
    }

    /// The accounts that can do all of these operations (ids local to the connector).
    pub fn accounts_for<'a>(&self, ops: impl IntoIterator<Item = &'a str>) -> Accounts {
        ops.into_iter()
            .filter_map(|id| self.operations().find(|o| o.id == id))
            .map(|o| o.accounts)
            .find(|a| *a != Accounts::Any)
            .unwrap_or(self.auth.accounts)
    }

    /// True when some action or trigger does this kind of work.
    pub fn serves(&self, capability: Capability) -> bool {
        self.operations().any(|op| op.capability == capability)
    }

    /// A one- or two-letter badge for pages that show no logo.
    pub fn initials(&self) -> String {
        let words: Vec<&str> = self.name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        match words.as_slice() {
            [] => "?".into(),
            [one] => one.chars().take(1).collect::<String>().to_uppercase(),
            [first, second, ..] => {
                format!("{}{}", first.chars().next().unwrap_or('?'), second.chars().next().unwrap_or('?'))
                    .to_uppercase()
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Email,
    Chat,
    Files,
    Docs,
    Crm,
    ProjectManagement,
    Analytics,
    DataWarehouse,
    Social,
    Payments,
    Accounting,
    Support,
    Forms,
    Scheduling,
    Meetings,
    DevTools,
    Cms,
    Hr,
    Ai,
    Commerce,
    Marketing,
}

impl Category {
    pub const ALL: [Category; 21] = [
        Self::Email,
        Self::Chat,
        Self::Files,
        Self::Docs,
        Self::Crm,
        Self::ProjectManagement,
        Self::Analytics,
        Self::DataWarehouse,
        Self::Social,
        Self::Payments,
        Self::Accounting,
        Self::Support,
        Self::Forms,
        Self::Scheduling,
        Self::Meetings,
        Self::DevTools,
        Self::Cms,
        Self::Hr,
        Self::Ai,
        Self::Commerce,
        Self::Marketing,
    ];

    /// The heading the Browse page shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Email => "Email",
            Self::Chat => "Chat & messaging",
            Self::Files => "Files & storage",
            Self::Docs => "Docs & spreadsheets",
            Self::Crm => "CRM",
            Self::ProjectManagement => "Project management",
            Self::Analytics => "Analytics",
            Self::DataWarehouse => "Data warehouses",
            Self::Social => "Social media",
            Self::Payments => "Payments",
            Self::Accounting => "Accounting",
            Self::Support => "Customer support",
            Self::Forms => "Forms",
            Self::Scheduling => "Scheduling",
            Self::Meetings => "Meetings",
            Self::DevTools => "Developer tools",
            Self::Cms => "Websites & CMS",
            Self::Hr => "HR",
            Self::Ai => "AI",
            Self::Commerce => "Commerce",
            Self::Marketing => "Marketing",
        }
    }

    pub fn slug(self) -> &'static str {
        // The serde name, spelled out to stay a &'static str.
        match self {
            Self::Email => "email",
            Self::Chat => "chat",
            Self::Files => "files",
            Self::Docs => "docs",
            Self::Crm => "crm",
            Self::ProjectManagement => "project_management",
            Self::Analytics => "analytics",
            Self::DataWarehouse => "data_warehouse",
            Self::Social => "social",
            Self::Payments => "payments",
            Self::Accounting => "accounting",
            Self::Support => "support",
            Self::Forms => "forms",
            Self::Scheduling => "scheduling",
            Self::Meetings => "meetings",
            Self::DevTools => "dev_tools",
            Self::Cms => "cms",
            Self::Hr => "hr",
            Self::Ai => "ai",
            Self::Commerce => "commerce",
            Self::Marketing => "marketing",
        }
    }
}

/// What kind of work an operation does. The router maps a request's verb and object to
/// one of these, then to the operations that carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    Email,
    Chat,
    Sms,
    Call,
    Calendar,
    Meeting,
    Files,
    Document,
    Spreadsheet,
    Presentation,
    Database,
    Task,
    Issue,
    Code,
    Crm,
    Payment,
    Accounting,
    Expense,
    Social,
    Video,
    Analytics,
    Warehouse,
    Seo,
    Ads,
    Form,
    Booking,
    Support,
    Newsletter,
    Hr,
    Ai,
    Cms,
    Commerce,
    Design,
    Classroom,
}

impl Capability {
    /// The category whose tools are made for this work: a meeting goes to a meetings tool
    /// before a chat tool that can also host one.
    pub fn home(self) -> Option<Category> {
        Some(match self {
            Self::Email => Category::Email,
            Self::Chat => Category::Chat,
            Self::Calendar | Self::Booking => Category::Scheduling,
            Self::Meeting => Category::Meetings,
            Self::Files => Category::Files,
            Self::Document | Self::Spreadsheet | Self::Presentation => Category::Docs,
            Self::Crm => Category::Crm,
            Self::Payment => Category::Payments,
            Self::Accounting => Category::Accounting,
            Self::Task => Category::ProjectManagement,
            Self::Analytics => Category::Analytics,
            Self::Warehouse => Category::DataWarehouse,
            Self::Support => Category::Support,
            Self::Form => Category::Forms,
            Self::Newsletter => Category::Marketing,
            Self::Social | Self::Video => Category::Social,
            Self::Hr => Category::Hr,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    pub scope: String,
    pub label: String,
    pub access: Access,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

/// An action or a trigger.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub id: String,
    pub name: String,
    pub description: String,
    pub capability: Capability,
    pub phrases: Vec<String>,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub inputs: Vec<Input>,
    #[serde(default)]
    pub outputs: Vec<String>,
    /// Narrower than the connector's own `accounts` when one API refuses some accounts
    /// (Outlook's free/busy lookup works for work or school accounts only).
    #[serde(default)]
    pub accounts: Accounts,
    /// Actions only: the output fields, each a JSON pointer into the last step's answer
    /// (`$N/…` for step N's).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub returns: BTreeMap<String, String>,
    /// Actions only: why it has no binding yet, when that is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unbound: Option<String>,
    /// Actions only: inputs the provider's API does not take, and what they are for
    /// (a slot length the caller applies to the busy times answered).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_sent: BTreeMap<String, String>,
    /// Actions only: the HTTP requests that do it, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call: Vec<Step>,
    /// Triggers only: how patchbay polls the provider for new items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<super::poll::Poll>,
}

impl Operation {
    /// True when patchbay can run it (it has HTTP steps).
    pub fn is_bound(&self) -> bool {
        !self.call.is_empty()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: InputKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    String,
    Text,
    Email,
    Number,
    Boolean,
    Date,
    Datetime,
    Url,
    File,
    List,
    Json,
    Channel,
    User,
}
