//! Connector policy: an app's owner allows or blocks, per connector, shared connections
//! and app-user connections (as Base44's workspace connector settings do). Everything is
//! allowed until an owner says otherwise.
//!
//! Every path that creates or uses a connection asks [`check`] first; the card, the Flows
//! page, the MCP tool list and flow validation read the whole [`Policy`] once per request.

use crate::catalog::Connector;
use crate::store::{PolicyRow, Store, StoreError};
use std::collections::BTreeMap;
use std::fmt;

/// Which connections a rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// One account the whole app shares, connected by a builder.
    Shared,
    /// Each person who uses the app connects their own account.
    AppUser,
}

impl Kind {
    /// As stored on connection rows (`connections.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::AppUser => "app_user",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "shared" => Some(Self::Shared),
            "app_user" => Some(Self::AppUser),
            _ => None,
        }
    }

    /// The words for these connections in a sentence.
    pub fn words(self) -> &'static str {
        match self {
            Self::Shared => "shared connections",
            Self::AppUser => "app-user connections",
        }
    }
}

/// Why a connection is refused, as a sentence a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The app's owner has blocked {name} for {}.", kind.words())]
pub struct Blocked {
    pub connector: String,
    /// The connector's display name ("Gmail"), never its id.
    pub name: String,
    pub kind: Kind,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    Blocked(#[from] Blocked),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an owner allows for one connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub shared: bool,
    pub app_user: bool,
}

impl Rule {
    pub const ALLOW_ALL: Rule = Rule { shared: true, app_user: true };

    pub fn allows(self, kind: Kind) -> bool {
        match kind {
            Kind::Shared => self.shared,
            Kind::AppUser => self.app_user,
        }
    }

    /// How the rule reads in the audit log ("shared blocked, app-user allowed").
    pub fn describe(self) -> String {
        let word = |allowed: bool| if allowed { "allowed" } else { "blocked" };
        format!("shared connections {}, app-user connections {}", word(self.shared), word(self.app_user))
    }
}

impl From<&PolicyRow> for Rule {
    fn from(row: &PolicyRow) -> Self {
        Self { shared: row.shared != 0, app_user: row.app_user != 0 }
    }
}

/// One app's policy: the connectors with something blocked. Cheap to load (a row per
/// such connector) and to ask many times.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    rules: BTreeMap<String, Rule>,
}

impl Policy {
    pub async fn load(store: &Store, app_id: i64) -> Result<Self, StoreError> {
        Ok(Self::of_rows(&store.connector_policies(app_id).await?))
    }

    pub fn of_rows(rows: &[PolicyRow]) -> Self {
        Self { rules: rows.iter().map(|r| (r.connector.clone(), r.into())).collect() }
    }

    pub fn rule(&self, connector: &str) -> Rule {
        self.rules.get(connector).copied().unwrap_or(Rule::ALLOW_ALL)
    }

    pub fn allows(&self, connector: &str, kind: Kind) -> bool {
        self.rule(connector).allows(kind)
    }

    /// The refusal for this connector and kind, when the owner blocked it.
    pub fn blocked(&self, connector: &Connector, kind: Kind) -> Option<Blocked> {
        (!self.allows(connector.id.as_str(), kind)).then(|| Blocked {
            connector: connector.id.to_string(),
            name: connector.name.clone(),
            kind,
        })
    }
}

/// Asks before creating or using a connection: `Err(PolicyError::Blocked)` when the app's
/// owner has blocked this connector for this kind of connection.
pub async fn check(store: &Store, app_id: i64, connector: &Connector, kind: Kind) -> Result<(), PolicyError> {
    let rule =
        store.connector_policy(app_id, connector.id.as_str()).await?.as_ref().map_or(Rule::ALLOW_ALL, Rule::from);
    match rule.allows(kind) {
        true => Ok(()),
        false => Err(Blocked { connector: connector.id.to_string(), name: connector.name.clone(), kind }.into()),
    }
}

/// What an owner's change did, for the notice and the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub before: Rule,
    pub after: Rule,
}

impl Change {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (was: {})", self.after.describe(), self.before.describe())
    }
}

/// Stores an owner's rule for one connector and audits it (who, which connector, before
/// and after). Saving what is already stored changes and audits nothing.
pub async fn set(
    store: &Store,
    app_id: i64,
    connector: &Connector,
    rule: Rule,
    user_id: i64,
) -> Result<Change, StoreError> {
    let id = connector.id.as_str();
    let before = store.connector_policy(app_id, id).await?.as_ref().map_or(Rule::ALLOW_ALL, Rule::from);
    let change = Change { before, after: rule };
    if !change.changed() {
        return Ok(change);
    }
    store.set_connector_policy(app_id, id, rule.shared, rule.app_user, Some(user_id)).await?;
    let detail = change.to_string();
    store.audit(Some(app_id), Some(user_id), "connector.policy_changed", Some(id), None, Some(&detail)).await?;
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocked_connector_is_refused_in_a_sentence() {
        let blocked = Blocked { connector: "gmail".into(), name: "Gmail".into(), kind: Kind::Shared };
        assert_eq!(blocked.to_string(), "The app's owner has blocked Gmail for shared connections.");
        let blocked = Blocked { kind: Kind::AppUser, ..blocked };
        assert_eq!(blocked.to_string(), "The app's owner has blocked Gmail for app-user connections.");
    }

    #[test]
    fn everything_is_allowed_until_an_owner_says_otherwise() {
        let mut policy = Policy::default();
        assert!(policy.allows("gmail", Kind::Shared) && policy.allows("gmail", Kind::AppUser));
        policy.rules.insert("gmail".into(), Rule { shared: false, app_user: true });
        assert!(!policy.allows("gmail", Kind::Shared));
        assert!(policy.allows("gmail", Kind::AppUser));
        assert!(policy.allows("slack", Kind::Shared));
    }

    #[test]
    fn a_change_says_what_it_was_and_what_it_is() {
        let change = Change { before: Rule::ALLOW_ALL, after: Rule { shared: false, app_user: true } };
        assert_eq!(
            change.to_string(),
            "shared connections blocked, app-user connections allowed \
             (was: shared connections allowed, app-user connections allowed)"
        );
    }
}
