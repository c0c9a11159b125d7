//! Who calls an app's MCP server: one of the app's keys (a backend), or an agent's client
//! that a builder of the app authorized over OAuth.

use crate::store::{McpGrantRow, Store, StoreResult};

#[derive(Clone, Debug, PartialEq)]
pub enum Caller {
    Key(i64),
    Agent { grant_id: i64, user_id: i64, client: String },
}

impl Caller {
    pub fn agent(grant: McpGrantRow) -> Self {
        Self::Agent { grant_id: grant.id, user_id: grant.user_id, client: grant.client_name }
    }

    /// How a session remembers who opened it.
    pub fn label(&self) -> String {
        match self {
            Self::Key(id) => format!("key:{id}"),
            Self::Agent { grant_id, .. } => format!("grant:{grant_id}"),
        }
    }

    /// An audit entry for what the caller did: with the key, or with the person who
    /// authorized the client and the client's name.
    pub async fn audit(&self, store: &Store, app_id: i64, connector: Option<&str>, detail: &str) -> StoreResult<()> {
        match self {
            Self::Key(key_id) => store.audit_key_call(app_id, *key_id, "mcp.tool_call", connector, detail).await,
            Self::Agent { user_id, client, .. } => {
                let detail = format!("{client}: {detail}");
                store.audit(Some(app_id), Some(*user_id), "mcp.tool_call", connector, None, Some(&detail)).await
            }
        }
    }
}
