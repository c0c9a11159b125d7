//! The sandbox authorization server's state: authorization codes, grants (one per consent,
//! holding the current refresh token) and access tokens. Kept here rather than in memory
//! so that any server instance can finish a flow another one began. Only SHA-256 hashes of
//! codes and tokens reach the database; the callers hash, the store never sees a secret.

use super::{Store, StoreResult, json_list, parse_json_list};

/// An authorization code as issued on the consent screen.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct SandboxCode {
    pub code_hash: String,
    pub connector: String,
    pub redirect_uri: String,
    scopes: String,
    /// The PKCE S256 challenge the code is bound to.
    pub code_challenge: String,
    pub account_email: String,
    pub account_name: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl SandboxCode {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        code_hash: String,
        connector: &str,
        redirect_uri: &str,
        scopes: &[String],
        code_challenge: &str,
        account_email: &str,
        account_name: &str,
        created_at: i64,
        expires_at: i64,
    ) -> Self {
        Self {
            code_hash,
            connector: connector.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes: json_list(scopes),
            code_challenge: code_challenge.to_owned(),
            account_email: account_email.to_owned(),
            account_name: account_name.to_owned(),
            created_at,
            expires_at,
        }
    }

    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.scopes)
    }
}

/// What presenting a code found. A replay is told apart from an unknown code so that the
/// caller can revoke what the first redemption issued (RFC 6749 §4.1.2).
#[derive(Clone, Debug, PartialEq)]
pub enum CodeRedemption {
    /// First use: the code is now spent.
    Fresh(SandboxCode),
    /// Already used; `grant_id` is what the first use issued, if it got that far.
    Replayed {
        grant_id: Option<i64>,
    },
    Unknown,
}

/// One consent: who signed in, what was granted, to which connector's client.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct SandboxGrant {
    pub id: i64,
    pub connector: String,
    scopes: String,
    pub account_email: String,
    pub account_name: String,
    pub created_at: i64,
}

impl SandboxGrant {
    pub fn scopes(&self) -> StoreResult<Vec<String>> {
        parse_json_list(&self.scopes)
    }
}

/// A grant to create, with the hash of its first refresh token.
pub struct NewSandboxGrant<'a> {
    pub connector: &'a str,
    pub scopes: &'a [String],
    pub account_email: &'a str,
    pub account_name: &'a str,
    pub refresh_hash: &'a str,
    /// The code it was issued for, so that a replay of the code can find and revoke it.
    pub code_hash: Option<&'a str>,
}

/// An access token to store alongside a grant.
pub struct NewSandboxAccessToken<'a> {
    pub token_hash: &'a str,
    pub scopes: &'a [String],
    pub expires_at: i64,
}

/// A live access token and the grant behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct SandboxAccess {
    pub grant: SandboxGrant,
    pub scopes: Vec<String>,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct AccessRow {
    #[sqlx(flatten)]
    grant: SandboxGrant,
    token_scopes: String,
    token_expires_at: i64,
}

/// The selected columns, as macros so queries stay `&'static str` (sqlx refuses SQL built
/// at run time unless asserted safe).
macro_rules! code_columns {
    () => {
        "code_hash, connector, redirect_uri, scopes, code_challenge, account_email, account_name, created_at, expires_at"
    };
}
macro_rules! grant_columns {
    () => {
        "id, connector, scopes, account_email, account_name, created_at"
    };
}

impl Store {
    pub async fn insert_sandbox_code(&self, c: &SandboxCode) -> StoreResult<()> {
        sqlx::query(concat!(
            "INSERT INTO sandbox_codes (",
            code_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&c.code_hash)
        .bind(&c.connector)
        .bind(&c.redirect_uri)
        .bind(&c.scopes)
        .bind(&c.code_challenge)
        .bind(&c.account_email)
        .bind(&c.account_name)
        .bind(c.created_at)
        .bind(c.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Spends a code. Marking it used is one conditional UPDATE, so of two racing
    /// redemptions exactly one sees `Fresh`. Expiry is the caller's check, so that it can
    /// say "expired" rather than "unknown".
    pub async fn redeem_sandbox_code(&self, code_hash: &str, at: i64) -> StoreResult<CodeRedemption> {
        let fresh = sqlx::query_as::<_, SandboxCode>(concat!(
            "UPDATE sandbox_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL RETURNING ",
            code_columns!(),
            ""
        ))
        .bind(code_hash)
        .bind(at)
        .fetch_optional(self.pool())
        .await?;
        if let Some(code) = fresh {
            return Ok(CodeRedemption::Fresh(code));
        }
        let used: Option<(Option<i64>,)> = sqlx::query_as("SELECT grant_id FROM sandbox_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(match used {
            Some((grant_id,)) => CodeRedemption::Replayed { grant_id },
            None => CodeRedemption::Unknown,
        })
    }

    /// Creates a grant with its first access token, and links the code to it, in one
    /// transaction: a grant never exists without the tokens the client was given.
    pub async fn create_sandbox_grant(
        &self,
        grant: NewSandboxGrant<'_>,
        access: NewSandboxAccessToken<'_>,
        at: i64,
    ) -> StoreResult<SandboxGrant> {
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query_as::<_, SandboxGrant>(concat!(
            "INSERT INTO sandbox_grants (connector, scopes, account_email, account_name, refresh_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            grant_columns!(),
            ""
        ))
        .bind(grant.connector)
        .bind(json_list(grant.scopes))
        .bind(grant.account_email)
        .bind(grant.account_name)
        .bind(grant.refresh_hash)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        insert_access(&mut tx, row.id, &access, at).await?;
        if let Some(code_hash) = grant.code_hash {
            sqlx::query("UPDATE sandbox_codes SET grant_id = $1 WHERE code_hash = $2")
                .bind(row.id)
                .bind(code_hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// The grant a refresh token currently belongs to; a rotated-away token finds nothing.
    pub async fn sandbox_grant_by_refresh(&self, refresh_hash: &str) -> StoreResult<Option<SandboxGrant>> {
        Ok(sqlx::query_as::<_, SandboxGrant>(concat!(
            "SELECT ",
            grant_columns!(),
            " FROM sandbox_grants WHERE refresh_hash = $1"
        ))
        .bind(refresh_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Replaces the refresh token and adds an access token, in one transaction. The UPDATE
    /// names the old hash, so of two racing refreshes with one token only one succeeds;
    /// `false` means the old token was no longer current.
    pub async fn rotate_sandbox_refresh(
        &self,
        grant_id: i64,
        old_hash: &str,
        new_hash: &str,
        access: NewSandboxAccessToken<'_>,
        at: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE sandbox_grants SET refresh_hash = $1, rotated_at = $2 WHERE id = $3 AND refresh_hash = $4",
        )
        .bind(new_hash)
        .bind(at)
        .bind(grant_id)
        .bind(old_hash)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_access(&mut tx, grant_id, &access, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A live (unexpired, unrevoked) access token and its grant.
    pub async fn sandbox_access(&self, token_hash: &str, at: i64) -> StoreResult<Option<SandboxAccess>> {
        let row = sqlx::query_as::<_, AccessRow>(
            "SELECT g.id, g.connector, g.scopes, g.account_email, g.account_name, g.created_at, \
             t.scopes AS token_scopes, t.expires_at AS token_expires_at \
             FROM sandbox_access_tokens t JOIN sandbox_grants g ON g.id = t.grant_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2",
        )
        .bind(token_hash)
        .bind(at)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(SandboxAccess {
                scopes: parse_json_list(&r.token_scopes)?,
                expires_at: r.token_expires_at,
                grant: r.grant,
            })
        })
        .transpose()
    }

    /// Deletes a grant and (by cascade) every access token it issued.
    pub async fn revoke_sandbox_grant(&self, grant_id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM sandbox_grants WHERE id = $1").bind(grant_id).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// RFC 7009 revocation of a token issued to `connector`'s client: a refresh token takes
    /// its grant and all its access tokens with it; an access token goes alone. Returns
    /// whether anything was revoked (the endpoint answers 200 either way).
    pub async fn revoke_sandbox_token(&self, token_hash: &str, connector: &str) -> StoreResult<bool> {
        let grant = sqlx::query("DELETE FROM sandbox_grants WHERE refresh_hash = $1 AND connector = $2")
            .bind(token_hash)
            .bind(connector)
            .execute(self.pool())
            .await?;
        if grant.rows_affected() > 0 {
            return Ok(true);
        }
        let access = sqlx::query(
            "DELETE FROM sandbox_access_tokens WHERE token_hash = $1 \
             AND grant_id IN (SELECT id FROM sandbox_grants WHERE connector = $2)",
        )
        .bind(token_hash)
        .bind(connector)
        .execute(self.pool())
        .await?;
        Ok(access.rows_affected() > 0)
    }

    /// Drops expired codes and access tokens; grants live until revoked.
    pub async fn purge_expired_sandbox(&self, at: i64) -> StoreResult<u64> {
        let codes =
            sqlx::query("DELETE FROM sandbox_codes WHERE expires_at <= $1").bind(at).execute(self.pool()).await?;
        let tokens = sqlx::query("DELETE FROM sandbox_access_tokens WHERE expires_at <= $1")
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(codes.rows_affected() + tokens.rows_affected())
    }
}

async fn insert_access(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    grant_id: i64,
    access: &NewSandboxAccessToken<'_>,
    at: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sandbox_access_tokens (token_hash, grant_id, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(access.token_hash)
    .bind(grant_id)
    .bind(json_list(access.scopes))
    .bind(at)
    .bind(access.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Every scope an account has granted a connector's sandbox client so far.
    pub async fn sandbox_granted_scopes(&self, connector: &str, account_email: &str) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT scopes FROM sandbox_grants WHERE connector = $1 AND LOWER(account_email) = LOWER($2)",
        )
        .bind(connector)
        .bind(account_email)
        .fetch_all(self.pool())
        .await?;
        let mut all = Vec::new();
        for (raw,) in rows {
            for s in parse_json_list(&raw)? {
                if !all.contains(&s) {
                    all.push(s);
                }
            }
        }
        Ok(all)
    }
}
