//! patchbay as the authorization server of its MCP servers: registered clients, the grants
//! people give them for one app, single-use codes, and tokens (kept by their SHA-256).

use super::{Store, StoreResult, now, plain_text};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct McpClientRow {
    pub client_id: String,
    pub name: String,
    /// A JSON list.
    pub redirect_uris: String,
    pub created_at: i64,
}

impl McpClientRow {
    pub fn redirects_to(&self, uri: &str) -> bool {
        serde_json::from_str::<Vec<String>>(&self.redirect_uris).is_ok_and(|uris| uris.iter().any(|u| u == uri))
    }
}

/// A live grant, with what a token check needs.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct McpGrantRow {
    pub id: i64,
    pub client_id: String,
    pub client_name: String,
    pub app_id: i64,
    pub user_id: i64,
    pub created_at: i64,
}

/// A code as it was issued.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct McpCodeRow {
    pub grant_id: i64,
    pub redirect_uri: String,
    pub code_challenge: String,
}

pub struct NewMcpCode<'a> {
    pub code_hash: &'a str,
    pub grant_id: i64,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub expires_at: i64,
}

/// How a refresh token was found.
pub enum RefreshUse {
    /// Unused and in time: now used, for this grant.
    Fresh(i64),
    /// Used before: someone replays it. Its grant is revoked (OAuth 2.1, section 4.3.1).
    Replayed,
    Unknown,
}

/// A grant with its client's name; the query goes on with a `WHERE`, or joins more first.
macro_rules! grants {
    () => {
        "SELECT g.id, g.client_id, c.name AS client_name, g.app_id, g.user_id, g.created_at \
         FROM mcp_grants g JOIN mcp_clients c ON c.client_id = g.client_id "
    };
}

impl Store {
    pub async fn insert_mcp_client(&self, client_id: &str, name: &str, redirect_uris: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO mcp_clients (client_id, name, redirect_uris, created_at) VALUES ($1, $2, $3, $4)")
            .bind(client_id)
            .bind(plain_text("a client's name", name)?)
            .bind(plain_text("redirect URIs", redirect_uris)?)
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A client as its metadata document describes it now (its id is the document's URL).
    pub async fn upsert_mcp_client(
        &self,
        client_id: &str,
        name: &str,
        redirect_uris: &str,
    ) -> StoreResult<McpClientRow> {
        Ok(sqlx::query_as::<_, McpClientRow>(
            "INSERT INTO mcp_clients (client_id, name, redirect_uris, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris \
             RETURNING client_id, name, redirect_uris, created_at",
        )
        .bind(plain_text("a client's id", client_id)?)
        .bind(plain_text("a client's name", name)?)
        .bind(plain_text("redirect URIs", redirect_uris)?)
        .bind(now())
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn mcp_client(&self, client_id: &str) -> StoreResult<Option<McpClientRow>> {
        Ok(sqlx::query_as::<_, McpClientRow>(
            "SELECT client_id, name, redirect_uris, created_at FROM mcp_clients WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The person's live grant to this client for this app, made if there is none.
    pub async fn mcp_grant_for(&self, client_id: &str, app_id: i64, user_id: i64) -> StoreResult<i64> {
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM mcp_grants WHERE client_id = $1 AND app_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(client_id)
        .bind(app_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        if let Some((id,)) = found {
            return Ok(id);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO mcp_grants (client_id, app_id, user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(client_id)
        .bind(app_id)
        .bind(user_id)
        .bind(now())
        .fetch_one(self.pool())
        .await?;
        Ok(id)
    }

    /// A grant, while it is live.
    pub async fn mcp_grant(&self, grant_id: i64) -> StoreResult<Option<McpGrantRow>> {
        Ok(sqlx::query_as::<_, McpGrantRow>(concat!(grants!(), "WHERE g.id = $1 AND g.revoked_at IS NULL"))
            .bind(grant_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The app's live grants, newest first.
    pub async fn mcp_grants_of_app(&self, app_id: i64) -> StoreResult<Vec<McpGrantRow>> {
        let sql =
            concat!(grants!(), "WHERE g.app_id = $1 AND g.revoked_at IS NULL ORDER BY g.created_at DESC, g.id DESC");
        Ok(sqlx::query_as::<_, McpGrantRow>(sql).bind(app_id).fetch_all(self.pool()).await?)
    }

    /// Revokes a live grant of this app; `false` when there was none.
    pub async fn revoke_mcp_grant(&self, app_id: i64, grant_id: i64) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE mcp_grants SET revoked_at = $1 WHERE id = $2 AND app_id = $3 AND revoked_at IS NULL")
                .bind(now())
                .bind(grant_id)
                .bind(app_id)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn insert_mcp_code(&self, code: NewMcpCode<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mcp_codes (code_hash, grant_id, redirect_uri, code_challenge, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code.code_hash)
        .bind(code.grant_id)
        .bind(code.redirect_uri)
        .bind(code.code_challenge)
        .bind(code.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Spends a code in time, once: the second of two racing exchanges gets nothing.
    pub async fn take_mcp_code(&self, code_hash: &str) -> StoreResult<Option<McpCodeRow>> {
        let at = now();
        let done = sqlx::query(
            "UPDATE mcp_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(at)
        .bind(code_hash)
        .execute(self.pool())
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        Ok(sqlx::query_as::<_, McpCodeRow>(
            "SELECT grant_id, redirect_uri, code_challenge FROM mcp_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn insert_mcp_token(
        &self,
        token_hash: &str,
        grant_id: i64,
        kind: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO mcp_tokens (token_hash, grant_id, kind, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(grant_id)
            .bind(kind)
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The live grant behind an access token in time.
    pub async fn mcp_access(&self, token_hash: &str) -> StoreResult<Option<McpGrantRow>> {
        let sql = concat!(
            grants!(),
            "JOIN mcp_tokens t ON t.grant_id = g.id \
             WHERE t.token_hash = $1 AND t.kind = 'access' AND t.expires_at > $2 AND g.revoked_at IS NULL"
        );
        Ok(sqlx::query_as::<_, McpGrantRow>(sql).bind(token_hash).bind(now()).fetch_optional(self.pool()).await?)
    }

    /// Uses a refresh token of this client once. A replay revokes the grant it belongs to.
    pub async fn use_mcp_refresh(&self, token_hash: &str, client_id: &str) -> StoreResult<RefreshUse> {
        let at = now();
        let found: Option<(i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT t.grant_id, t.used_at, t.expires_at FROM mcp_tokens t JOIN mcp_grants g ON g.id = t.grant_id \
             WHERE t.token_hash = $1 AND t.kind = 'refresh' AND g.client_id = $2 AND g.revoked_at IS NULL",
        )
        .bind(token_hash)
        .bind(client_id)
        .fetch_optional(self.pool())
        .await?;
        let Some((grant_id, used_at, expires_at)) = found else { return Ok(RefreshUse::Unknown) };
        if expires_at <= at {
            return Ok(RefreshUse::Unknown);
        }
        let done = sqlx::query("UPDATE mcp_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(at)
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        if used_at.is_none() && done.rows_affected() == 1 {
            return Ok(RefreshUse::Fresh(grant_id));
        }
        sqlx::query("UPDATE mcp_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(grant_id)
            .execute(self.pool())
            .await?;
        Ok(RefreshUse::Replayed)
    }

    pub async fn purge_expired_mcp_oauth(&self, at: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM mcp_codes WHERE expires_at < $1").bind(at).execute(self.pool()).await?;
        sqlx::query("DELETE FROM mcp_tokens WHERE expires_at < $1").bind(at).execute(self.pool()).await?;
        Ok(())
    }
}
