//! App user connectors: the per-app set-up (scopes, the app's own OAuth client), the
//! single-use connect sessions the host's backend asks for, and each person's connection
//! (a `connections` row of kind `app_user`, keyed by the host's `user_ref`).

use super::connections::connection_columns;
use super::{ConnectionRow, Store, StoreResult, json_list, now, parse_json_list, plain_text};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AppUserConnectorRow {
    pub app_id: i64,
    pub connector: String,
    scopes: String,
    pub client_id: Option<String>,
    pub sealed_client_secret: Option<Vec<u8>>,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

impl AppUserConnectorRow {
    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.scopes)
    }
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ConnectSessionRow {
    pub token_hash: String,
    pub app_id: i64,
    pub user_ref: String,
    pub connector: String,
    pub return_url: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub browser_hash: Option<String>,
    pub state_hash: Option<String>,
    pub sealed_verifier: Option<Vec<u8>>,
    scopes: Option<String>,
}

impl ConnectSessionRow {
    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        self.scopes.as_deref().map_or(Ok(Vec::new()), parse_json_list)
    }
}

/// What the person's browser takes to the provider: written once, when the session is used.
pub struct SessionUse<'a> {
    pub browser_hash: &'a str,
    pub state_hash: &'a str,
    pub sealed_verifier: Option<&'a [u8]>,
    pub scopes: &'a [String],
}

/// New tokens for one person's connection.
pub struct AppUserGrant<'a> {
    pub app_id: i64,
    pub connector: &'a str,
    pub user_ref: &'a str,
    pub account: &'a str,
    pub granted_scopes: &'a [String],
    pub sealed_tokens: &'a [u8],
    pub expires_at: Option<i64>,
}

/// Per connector: how many people are connected, and how many connections need attention.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AppUserCounts {
    pub connector: String,
    pub connected: i64,
    pub errors: i64,
}

macro_rules! session_columns {
    () => {
        "token_hash, app_id, user_ref, connector, return_url, created_at, expires_at, used_at, \
         browser_hash, state_hash, sealed_verifier, scopes"
    };
}

impl Store {
    /// Sets a connector up for app users, or changes its scopes and client.
    pub async fn put_app_user_connector(
        &self,
        app_id: i64,
        connector: &str,
        scopes: &[String],
        client: Option<(&str, &[u8])>,
        by: Option<i64>,
    ) -> StoreResult<AppUserConnectorRow> {
        let (client_id, secret) = client.map_or((None, None), |(id, s)| (Some(id), Some(s)));
        if let Some(id) = client_id {
            plain_text("a client id", id)?;
        }
        Ok(sqlx::query_as::<_, AppUserConnectorRow>(
            "INSERT INTO app_user_connectors (app_id, connector, scopes, client_id, sealed_client_secret, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (app_id, connector) DO UPDATE SET scopes = excluded.scopes, \
             client_id = COALESCE(excluded.client_id, app_user_connectors.client_id), \
             sealed_client_secret = COALESCE(excluded.sealed_client_secret, app_user_connectors.sealed_client_secret) \
             RETURNING app_id, connector, scopes, client_id, sealed_client_secret, created_by, created_at",
        )
        .bind(app_id)
        .bind(connector)
        .bind(json_list(scopes))
        .bind(client_id)
        .bind(secret)
        .bind(by)
        .bind(now())
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn app_user_connector(&self, app_id: i64, connector: &str) -> StoreResult<Option<AppUserConnectorRow>> {
        Ok(sqlx::query_as::<_, AppUserConnectorRow>(
            "SELECT app_id, connector, scopes, client_id, sealed_client_secret, created_by, created_at \
             FROM app_user_connectors WHERE app_id = $1 AND connector = $2",
        )
        .bind(app_id)
        .bind(connector)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn app_user_connectors_of_app(&self, app_id: i64) -> StoreResult<Vec<AppUserConnectorRow>> {
        Ok(sqlx::query_as::<_, AppUserConnectorRow>(
            "SELECT app_id, connector, scopes, client_id, sealed_client_secret, created_by, created_at \
             FROM app_user_connectors WHERE app_id = $1 ORDER BY connector",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Removes the set-up and every person's connection to it.
    pub async fn delete_app_user_connector(&self, app_id: i64, connector: &str) -> StoreResult<bool> {
        sqlx::query("DELETE FROM connections WHERE app_id = $1 AND connector = $2 AND kind = 'app_user'")
            .bind(app_id)
            .bind(connector)
            .execute(self.pool())
            .await?;
        let done = sqlx::query("DELETE FROM app_user_connectors WHERE app_id = $1 AND connector = $2")
            .bind(app_id)
            .bind(connector)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn app_user_counts(&self, app_id: i64) -> StoreResult<Vec<AppUserCounts>> {
        Ok(sqlx::query_as::<_, AppUserCounts>(
            "SELECT connector, \
             SUM(CASE WHEN status IN ('connected', 'expires_soon') THEN 1 ELSE 0 END) AS connected, \
             SUM(CASE WHEN status IN ('connected', 'expires_soon', 'disconnected') THEN 0 ELSE 1 END) AS errors \
             FROM connections WHERE app_id = $1 AND kind = 'app_user' GROUP BY connector",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn insert_connect_session(
        &self,
        token_hash: &str,
        app_id: i64,
        user_ref: &str,
        connector: &str,
        return_url: Option<&str>,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO connect_sessions (token_hash, app_id, user_ref, connector, return_url, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token_hash)
        .bind(app_id)
        .bind(plain_text("a user reference", user_ref)?)
        .bind(connector)
        .bind(return_url.map(|u| plain_text("a return URL", u)).transpose()?)
        .bind(now())
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn connect_session(&self, token_hash: &str) -> StoreResult<Option<ConnectSessionRow>> {
        Ok(sqlx::query_as::<_, ConnectSessionRow>(concat!(
            "SELECT ",
            session_columns!(),
            " FROM connect_sessions WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Uses the session: true for exactly one caller, and only before it expires.
    pub async fn use_connect_session(&self, token_hash: &str, used: SessionUse<'_>) -> StoreResult<bool> {
        let at = now();
        let done = sqlx::query(
            "UPDATE connect_sessions SET used_at = $1, browser_hash = $2, state_hash = $3, sealed_verifier = $4, scopes = $5 \
             WHERE token_hash = $6 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(at)
        .bind(used.browser_hash)
        .bind(used.state_hash)
        .bind(used.sealed_verifier)
        .bind(json_list(used.scopes))
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses the session without going to the provider (the person disconnected instead).
    pub async fn spend_connect_session(&self, token_hash: &str) -> StoreResult<bool> {
        let at = now();
        let done = sqlx::query(
            "UPDATE connect_sessions SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(at)
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The session a provider's callback belongs to, taken once: its state cannot be
    /// replayed.
    pub async fn take_connect_session_by_state(&self, state_hash: &str) -> StoreResult<Option<ConnectSessionRow>> {
        let row = sqlx::query_as::<_, ConnectSessionRow>(concat!(
            "SELECT ",
            session_columns!(),
            " FROM connect_sessions WHERE state_hash = $1"
        ))
        .bind(state_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let done =
            sqlx::query("UPDATE connect_sessions SET state_hash = NULL WHERE token_hash = $1 AND state_hash = $2")
                .bind(&row.token_hash)
                .bind(state_hash)
                .execute(self.pool())
                .await?;
        Ok((done.rows_affected() == 1).then_some(row))
    }

    /// True when a callback's state belongs to an app user's connect session.
    pub async fn is_connect_session_state(&self, state_hash: &str) -> StoreResult<bool> {
        let found: Option<(String,)> = sqlx::query_as("SELECT token_hash FROM connect_sessions WHERE state_hash = $1")
            .bind(state_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }

    pub async fn app_user_connection(
        &self,
        app_id: i64,
        connector: &str,
        user_ref: &str,
    ) -> StoreResult<Option<ConnectionRow>> {
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
            "SELECT ",
            connection_columns!(),
            " FROM connections WHERE app_id = $1 AND connector = $2 AND kind = 'app_user' AND user_ref = $3"
        ))
        .bind(app_id)
        .bind(connector)
        .bind(user_ref)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn app_user_connections(&self, app_id: i64, user_ref: &str) -> StoreResult<Vec<ConnectionRow>> {
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
            "SELECT ",
            connection_columns!(),
            " FROM connections WHERE app_id = $1 AND kind = 'app_user' AND user_ref = $2 ORDER BY connector"
        ))
        .bind(app_id)
        .bind(user_ref)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores one person's new grant: a new row, or new tokens on their existing one.
    pub async fn put_app_user_connection(&self, g: AppUserGrant<'_>) -> StoreResult<ConnectionRow> {
        let at = now();
        Ok(sqlx::query_as::<_, ConnectionRow>(concat!(
            "INSERT INTO connections (app_id, connector, kind, user_ref, account, status, granted_scopes, sealed_tokens, \
             expires_at, connected_at, updated_at, issued_at) \
             VALUES ($1, $2, 'app_user', $3, $4, 'connected', $5, $6, $7, $8, $8, $8) \
             ON CONFLICT (app_id, connector, user_ref) WHERE kind = 'app_user' DO UPDATE SET \
             account = excluded.account, status = 'connected', status_reason = NULL, \
             granted_scopes = excluded.granted_scopes, sealed_tokens = excluded.sealed_tokens, \
             expires_at = excluded.expires_at, connected_at = excluded.connected_at, updated_at = excluded.updated_at, \
             issued_at = excluded.issued_at, version = connections.version + 1, refresh_lease_until = NULL, \
             refresh_failures = 0, next_refresh_at = NULL RETURNING ",
            connection_columns!()
        ))
        .bind(g.app_id)
        .bind(g.connector)
        .bind(plain_text("a user reference", g.user_ref)?)
        .bind(plain_text("an account", g.account)?)
        .bind(json_list(g.granted_scopes))
        .bind(g.sealed_tokens)
        .bind(g.expires_at)
        .bind(at)
        .fetch_one(self.pool())
        .await?)
    }
}
