//! What an app's owner decides for agents (Settings → Agents): actions pinned to the tool
//! list whether or not their tool is connected, actions hidden from agents altogether, and
//! whether write actions wait for a person's confirmation (`confirm`).

use crate::catalog::{Access, Connector, Operation};
use crate::store::{Store, StoreError};
use std::collections::BTreeSet;

pub const PINNED: &str = "pinned";
pub const HIDDEN: &str = "hidden";

/// Prefixes of action ids that only read, for actions that need no scope to tell.
const READ_PREFIXES: [&str; 7] = ["list_", "get_", "search_", "read_", "query_", "run_", "find_"];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgentRules {
    pub pinned: BTreeSet<String>,
    pub hidden: BTreeSet<String>,
    pub confirm_writes: bool,
}

impl AgentRules {
    pub async fn load(store: &Store, app_id: i64) -> Result<Self, StoreError> {
        let mut rules = Self { confirm_writes: store.agent_confirm_writes(app_id).await?, ..Self::default() };
        for row in store.agent_tool_rules(app_id).await? {
            match row.rule.as_str() {
                PINNED => rules.pinned.insert(row.action),
                _ => rules.hidden.insert(row.action),
            };
        }
        Ok(rules)
    }

    pub fn hides(&self, action_id: &str) -> bool {
        self.hidden.contains(action_id)
    }

    pub fn pins(&self, action_id: &str) -> bool {
        self.pinned.contains(action_id)
    }

    /// A call that waits for a person before it runs.
    pub fn needs_confirmation(&self, connector: &Connector, action: &Operation) -> bool {
        self.confirm_writes && !reads_only(connector, action)
    }
}

/// `gmail.send_email`.
pub fn action_id(connector: &Connector, action: &Operation) -> String {
    format!("{}.{}", connector.id, action.id)
}

/// True when the action only reads: every scope it needs is a read permission, or, for
/// actions without scopes, its id says so.
pub fn reads_only(connector: &Connector, action: &Operation) -> bool {
    if action.scopes.is_empty() {
        return READ_PREFIXES.iter().any(|p| action.id.starts_with(p));
    }
    action.scopes.iter().all(|s| connector.permission(s).is_some_and(|p| p.access == Access::Read))
}
