//! The approval card: for each connector a request needs, what the app will do (**Action
//! required**), the scopes it asks for in plain words (**Required permissions**, read and
//! write apart), and where the builder stands with it (to connect, skipped, connected,
//! already in use, needing attention). A view model only: no HTTP, no HTML.

pub mod summary;

use crate::catalog::{Access, AuthKind, Catalog, Connector};
use crate::connections::policy::{Blocked, Kind, Policy};
use crate::intent::Intent;
use crate::ranking::{Role, Selected};
use crate::store::{CardState as Decision, ConnectionRow};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq)]
pub struct PermissionLine {
    pub label: String,
    pub scope: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CardStatus {
    /// Not connected yet: Connect or Skip.
    Ask,
    /// The builder pressed Skip: "<Tool> was not added".
    Skipped,
    /// Connected from this card.
    Connected { account: String },
    /// The app already had it, with every scope needed.
    UsingExisting { account: String },
    /// The app has it, but it lacks scopes this request needs: ask only for those.
    NeedsMorePermissions { account: String },
    /// The app has it, but it is not healthy (revoked, disconnected, error).
    NeedsAttention { status: String, reason: String },
    /// Connecting failed; the card can be tried again.
    Failed { reason: String },
    /// Set up for the app's users: each connects their own account.
    ForAppUsers,
    /// The app's owner has blocked the connector for shared connections: no Connect.
    Blocked { reason: String },
    /// A kind of connection patchbay cannot make.
    NotSupported { needs: Vec<String>, kind: String },
}

/// What an assistant message stores for the page to draw its cards from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CardsPayload {
    pub route: Option<crate::ranking::RouteResult>,
    /// Connectors to show a card for, in order (the selection, plus homepage chips).
    pub cards: Vec<String>,
    /// The flow this message presents for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalCard {
    pub message_id: i64,
    pub connector_id: String,
    pub name: String,
    pub initials: String,
    pub category: String,
    pub action_required: String,
    pub read: Vec<PermissionLine>,
    pub write: Vec<PermissionLine>,
    pub status: CardStatus,
    /// What the builder types before connecting a provider on its own host, as (name,
    /// label): a Shopify shop. Empty once a connection keeps it.
    pub asks: Vec<(String, String)>,
    /// Each app user could connect their own account (an OAuth connector).
    pub per_person: bool,
    /// What the builder types to connect a credential connector (keys, tokens), instead
    /// of signing in; empty for the others.
    pub credentials: Vec<CredentialField>,
    /// In development: the sandbox's page listing its test credentials for this tool.
    pub console: Option<String>,
}

/// One field of a credential form, as the card and "Replace credentials" show it.
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialField {
    /// The form field's name (`cred.account_sid`).
    pub field: String,
    pub label: String,
    /// Where to find it, in the provider's terms.
    pub help: String,
    pub secret: bool,
    pub optional: bool,
    /// A PEM key: several lines.
    pub multiline: bool,
}

/// The fields a credential connector asks for (empty for sign-in connectors).
pub fn credential_fields(c: &Connector) -> Vec<CredentialField> {
    if !c.auth.kind.typed() {
        return Vec::new();
    }
    c.auth
        .credentials
        .iter()
        .map(|cr| CredentialField {
            field: crate::credentials::form_name(cr),
            label: cr.label.clone(),
            help: cr.help.clone().unwrap_or_default(),
            secret: cr.secret,
            optional: cr.optional,
            multiline: cr.format == crate::catalog::CredentialFormat::PrivateKey,
        })
        .collect()
}

impl ApprovalCard {
    pub fn anchor(&self) -> String {
        format!("card-{}-{}", self.message_id, self.connector_id)
    }

    /// The status as a word the template and stylesheet key on.
    pub fn kind(&self) -> &'static str {
        match self.status {
            CardStatus::Ask => "ask",
            CardStatus::Skipped => "skipped",
            CardStatus::Connected { .. } => "connected",
            CardStatus::UsingExisting { .. } => "using",
            CardStatus::NeedsMorePermissions { .. } => "more",
            CardStatus::NeedsAttention { .. } => "attention",
            CardStatus::Failed { .. } => "failed",
            CardStatus::ForAppUsers => "app_users",
            CardStatus::Blocked { .. } => "blocked",
            CardStatus::NotSupported { .. } => "unsupported",
        }
    }

    /// True when the builder may choose an app user connector instead: a new OAuth
    /// connection (an existing shared one is repaired or extended, not replaced).
    pub fn offers_app_users(&self) -> bool {
        self.per_person && matches!(self.kind(), "ask" | "failed")
    }

    /// True when the card offers Connect (and Skip).
    pub fn can_connect(&self) -> bool {
        matches!(self.kind(), "ask" | "more" | "failed" | "attention")
    }

    pub fn account(&self) -> &str {
        match &self.status {
            CardStatus::Connected { account }
            | CardStatus::UsingExisting { account }
            | CardStatus::NeedsMorePermissions { account } => account,
            _ => "",
        }
    }

    pub fn reason(&self) -> String {
        match &self.status {
            CardStatus::Failed { reason } | CardStatus::Blocked { reason } => reason.clone(),
            CardStatus::NeedsAttention { status, reason } => format!("{} is {status}: {reason}", self.name),
            CardStatus::NotSupported { needs, kind } if needs.is_empty() => {
                format!("{} connects with {kind}.", self.name)
            }
            CardStatus::NotSupported { needs, kind } => {
                format!("{} connects with {kind}: you will need {}.", self.name, needs.join(", "))
            }
            _ => String::new(),
        }
    }
}

/// The scopes a connector must grant for the selected operations (plus its identity
/// scopes); when nothing was chosen, those of its first action.
pub fn required_scopes(connector: &Connector, selected: Option<&Selected>) -> Vec<String> {
    let mut scopes: Vec<String> = connector.auth.base_scopes.clone();
    let ops: Vec<&str> = selected
        .map(|s| s.actions.iter().map(|a| a.split_once('.').map_or(a.as_str(), |(_, l)| l)).collect())
        .unwrap_or_default();
    let chosen: Vec<_> = connector.operations().filter(|o| ops.contains(&o.id.as_str())).collect();
    let chosen = if chosen.is_empty() { connector.actions.iter().take(1).collect() } else { chosen };
    for op in chosen {
        for s in &op.scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
    }
    scopes
}

pub struct CardInput<'a> {
    pub message_id: i64,
    pub connector: &'a Connector,
    pub selected: Option<&'a Selected>,
    pub intent: &'a Intent,
    pub connection: Option<&'a ConnectionRow>,
    pub decision: Option<&'a Decision>,
    /// Set when the app's owner has blocked the connector for shared connections.
    pub blocked: Option<&'a Blocked>,
    /// The owner allows app user connections to the connector.
    pub app_users_allowed: bool,
}

pub fn build(input: CardInput<'_>) -> ApprovalCard {
    let c = input.connector;
    let required = required_scopes(c, input.selected);
    let granted = input.connection.and_then(|conn| conn.granted_scopes().ok()).unwrap_or_default();
    let healthy = input.connection.is_some_and(|conn| matches!(conn.status.as_str(), "connected" | "expires_soon"));
    let missing: Vec<String> = required.iter().filter(|s| !granted.contains(s)).cloned().collect();
    let account = input.connection.and_then(|conn| conn.account.clone()).unwrap_or_else(|| "your account".into());

    let status = match (input.decision.map(|d| d.state.as_str()), input.connection) {
        (Some("skipped"), _) => CardStatus::Skipped,
        (Some("app_users"), None) => CardStatus::ForAppUsers,
        _ if input.blocked.is_some() => {
            CardStatus::Blocked { reason: input.blocked.map(ToString::to_string).unwrap_or_default() }
        }
        (Some("failed"), None) => {
            CardStatus::Failed { reason: input.decision.and_then(|d| d.detail.clone()).unwrap_or_default() }
        }
        (Some("connected"), Some(_)) if healthy && missing.is_empty() => CardStatus::Connected { account },
        (_, Some(conn)) if !healthy => CardStatus::NeedsAttention {
            status: conn.status.replace('_', " "),
            reason: conn.status_reason.clone().unwrap_or_else(|| "it needs to be connected again".into()),
        },
        (_, Some(_)) if missing.is_empty() => CardStatus::UsingExisting { account },
        (_, Some(_)) => CardStatus::NeedsMorePermissions { account },
        _ if !c.auth.kind.signs_in() && !c.auth.kind.typed() => CardStatus::NotSupported {
            needs: c.auth.credentials.iter().map(|cr| cr.label.clone()).collect(),
            kind: c.auth.kind.describe().into(),
        },
        _ => CardStatus::Ask,
    };
    // An existing connection asks only for what it lacks ("Additional permissions").
    let shown: Vec<&String> = match status {
        CardStatus::NeedsMorePermissions { .. } => missing.iter().collect(),
        _ => required.iter().collect(),
    };
    let (mut read, mut write) = (Vec::new(), Vec::new());
    for scope in shown {
        let (label, access) = match c.permission(scope) {
            Some(p) => (p.label.clone(), p.access),
            None => (scope.clone(), Access::Read),
        };
        let line = PermissionLine { label, scope: scope.clone() };
        if access == Access::Write { write.push(line) } else { read.push(line) }
    }
    let default_selected;
    let selected = match input.selected {
        Some(s) => s,
        None => {
            default_selected =
                Selected { connector: c.id.to_string(), role: Role::Action, score: 0.0, actions: vec![] };
            &default_selected
        }
    };
    ApprovalCard {
        message_id: input.message_id,
        connector_id: c.id.to_string(),
        name: c.name.clone(),
        initials: c.initials(),
        category: c.category.label().to_owned(),
        action_required: summary::action_required(input.intent, selected, c),
        read,
        write,
        status,
        per_person: c.auth.kind == AuthKind::Oauth2 && input.app_users_allowed,
        asks: match input.connection {
            None => c.typed_values().map(|t| (t.name.clone(), t.label.clone())).collect(),
            Some(_) => Vec::new(),
        },
        credentials: credential_fields(c),
        console: None,
    }
}

/// What an app's cards depend on besides the message: the catalog, the app's connections,
/// the builder's decisions and the owner's policy.
pub struct CardContext<'a> {
    pub catalog: &'a Catalog,
    pub connections: &'a [ConnectionRow],
    pub decisions: &'a [Decision],
    pub policy: &'a Policy,
}

/// Builds every card of one assistant message: one per connector in `cards`, with what
/// the routing `selected` of it and read in the request (`intent`).
pub fn cards_of_message(
    message_id: i64,
    cards: &[String],
    selected: &[Selected],
    intent: &Intent,
    context: &CardContext<'_>,
) -> Vec<ApprovalCard> {
    let CardContext { catalog, connections, decisions, policy } = context;
    cards
        .iter()
        .filter_map(|id| {
            let connector = catalog.get(id)?;
            let blocked = policy.blocked(connector, Kind::Shared);
            Some(build(CardInput {
                message_id,
                connector,
                selected: selected.iter().find(|s| &s.connector == id),
                intent,
                connection: connections.iter().find(|c| &c.connector == id && c.kind == "shared"),
                decision: decisions.iter().find(|d| d.message_id == message_id && &d.connector == id),
                blocked: blocked.as_ref(),
                app_users_allowed: policy.allows(id, Kind::AppUser),
            }))
        })
        .collect()
}
