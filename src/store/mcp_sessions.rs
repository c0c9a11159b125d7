//! MCP sessions: one row per agent client that started a session with an app's server.
//! The row is all a session is, so every instance sharing the database answers it alike.

use super::{Store, StoreResult, now};

/// A session nobody used for a day is over: the client starts a new one (a 404 tells it).
pub const MCP_SESSION_IDLE_SECS: i64 = 24 * 3600;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct McpSessionRow {
    pub id_hash: String,
    pub app_id: i64,
    pub caller: String,
    pub protocol_version: String,
    pub url_elicitation: i64,
    pub tools_digest: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl McpSessionRow {
    /// The client opens links for its user (URL-mode elicitation).
    pub fn opens_links(&self) -> bool {
        self.url_elicitation != 0
    }
}

pub struct NewMcpSession<'a> {
    pub id_hash: &'a str,
    pub app_id: i64,
    pub caller: &'a str,
    pub protocol_version: &'a str,
    pub url_elicitation: bool,
    pub tools_digest: &'a str,
}

impl Store {
    pub async fn insert_mcp_session(&self, session: NewMcpSession<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mcp_sessions (id_hash, app_id, caller, protocol_version, url_elicitation, tools_digest, \
             created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(session.id_hash)
        .bind(session.app_id)
        .bind(session.caller)
        .bind(session.protocol_version)
        .bind(i64::from(session.url_elicitation))
        .bind(session.tools_digest)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The session, unless it was idle too long.
    pub async fn mcp_session(&self, id_hash: &str) -> StoreResult<Option<McpSessionRow>> {
        Ok(sqlx::query_as::<_, McpSessionRow>(
            "SELECT id_hash, app_id, caller, protocol_version, url_elicitation, tools_digest, created_at, \
             last_seen_at FROM mcp_sessions WHERE id_hash = $1 AND last_seen_at >= $2",
        )
        .bind(id_hash)
        .bind(now() - MCP_SESSION_IDLE_SECS)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn touch_mcp_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE mcp_sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now())
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_mcp_tools_digest(&self, id_hash: &str, digest: &str) -> StoreResult<()> {
        sqlx::query("UPDATE mcp_sessions SET tools_digest = $1 WHERE id_hash = $2")
            .bind(digest)
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends one session of this app; `false` when there was none.
    pub async fn delete_mcp_session(&self, id_hash: &str, app_id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM mcp_sessions WHERE id_hash = $1 AND app_id = $2")
            .bind(id_hash)
            .bind(app_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn purge_idle_mcp_sessions(&self, at: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM mcp_sessions WHERE last_seen_at < $1")
            .bind(at - MCP_SESSION_IDLE_SECS)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
