//! MCP sessions (Streamable HTTP's `Mcp-Session-Id`), kept as a database row and never in a
//! server's memory, so any instance answers any request of a session. A session remembers
//! what the protocol's later requests do not carry:
//! - whether the client opens links for its user (URL-mode elicitation, which it declares
//!   once, at `initialize`); a tool that needs a person then answers with the link as an
//!   elicitation, not as text the model has to relay;
//! - which tool list the client was last told, so a change (a tool connected meanwhile) is
//!   told in the answer to its next call (`notifications/tools/list_changed`). patchbay
//!   holds no open stream to push it earlier.
//!
//! A client that never sends the header is answered as before, statelessly.

use super::caller::Caller;
use crate::digest::{random_token, sha256_hex};
use crate::store::{McpSessionRow, NewMcpSession, Store, StoreError, now};
use axum::http::HeaderMap;
use rmcp::model::Tool;
use serde_json::Value;

pub const HEADER: &str = "mcp-session-id";

/// Touching `last_seen_at` once a minute is enough for a day-long idle limit.
const TOUCH_EVERY_SECS: i64 = 60;

#[derive(Clone, Debug)]
pub struct Session {
    id_hash: String,
    pub opens_links: bool,
    tools_digest: String,
}

impl Session {
    /// The tool list changed since the client was last told it.
    pub fn told_other_tools(&self, digest: &str) -> bool {
        self.tools_digest != digest
    }

    pub async fn remember_tools(&self, store: &Store, digest: &str) -> Result<(), StoreError> {
        if self.tools_digest == digest {
            return Ok(());
        }
        store.set_mcp_tools_digest(&self.id_hash, digest).await
    }
}

/// What an `initialize` request says about its client.
pub struct Hello {
    protocol_version: String,
    opens_links: bool,
}

impl Hello {
    /// `None` for any message but `initialize`.
    pub fn of(message: &Value) -> Option<Self> {
        if message.get("method").and_then(Value::as_str) != Some("initialize") {
            return None;
        }
        let params = message.get("params").unwrap_or(&Value::Null);
        let protocol_version: String =
            params.get("protocolVersion").and_then(Value::as_str).unwrap_or_default().chars().take(32).collect();
        // `elicitation: {}` alone means forms only (the older revisions' meaning).
        let opens_links = params.pointer("/capabilities/elicitation/url").is_some_and(Value::is_object);
        Some(Self { protocol_version, opens_links })
    }
}

/// Starts a session for a client that said hello, with the digest of the tools as they are
/// now; the id the client holds.
pub async fn start(
    store: &Store,
    app_id: i64,
    caller: &Caller,
    hello: &Hello,
    tools_digest: &str,
) -> Result<String, StoreError> {
    let id = random_token();
    let session = NewMcpSession {
        id_hash: &sha256_hex(&id),
        app_id,
        caller: &caller.label(),
        protocol_version: &hello.protocol_version,
        url_elicitation: hello.opens_links,
        tools_digest,
    };
    store.insert_mcp_session(session).await?;
    Ok(id)
}

/// Why a request's session cannot be used.
pub enum Refused {
    /// Over, never started, or started by another caller (another key, another grant): the client
    /// starts a new one (the specification's 404).
    Unknown,
    Store(StoreError),
}

/// The session a request names, if it names one.
pub async fn find(
    store: &Store,
    headers: &HeaderMap,
    app_id: i64,
    caller: &Caller,
) -> Result<Option<Session>, Refused> {
    let Some(id) = headers.get(HEADER) else { return Ok(None) };
    let id_hash = sha256_hex(id.to_str().map_err(|_| Refused::Unknown)?.trim());
    let row = store.mcp_session(&id_hash).await.map_err(Refused::Store)?;
    let Some(row) = row.filter(|r| r.app_id == app_id && r.caller == caller.label()) else {
        return Err(Refused::Unknown);
    };
    if row.last_seen_at < now() - TOUCH_EVERY_SECS {
        store.touch_mcp_session(&id_hash).await.map_err(Refused::Store)?;
    }
    Ok(Some(Session::from(row)))
}

/// Ends the session a request names (`DELETE`); `false` when there is none to end.
pub async fn end(store: &Store, headers: &HeaderMap, app_id: i64) -> Result<bool, StoreError> {
    match headers.get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(id) => store.delete_mcp_session(&sha256_hex(id.trim()), app_id).await,
        None => Ok(false),
    }
}

impl From<McpSessionRow> for Session {
    fn from(row: McpSessionRow) -> Self {
        Self { opens_links: row.opens_links(), id_hash: row.id_hash, tools_digest: row.tools_digest }
    }
}

/// What identifies a tool list to a client: the tools as it reads them.
pub fn digest(tools: &[Tool]) -> String {
    sha256_hex(&serde_json::to_string(tools).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_client_that_declares_url_elicitation_is_sent_links() {
        let hello = |capabilities: Value| {
            let message = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"protocolVersion": "2025-11-25", "capabilities": capabilities}});
            Hello::of(&message).expect("an initialize request").opens_links
        };
        assert!(hello(json!({"elicitation": {"url": {}}})));
        assert!(hello(json!({"elicitation": {"form": {}, "url": {}}})));
        assert!(!hello(json!({"elicitation": {}})), "an empty elicitation means forms only");
        assert!(!hello(json!({})));
        assert!(!hello(json!({"elicitation": {"url": true}})));
        assert!(Hello::of(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).is_none());
    }
}
