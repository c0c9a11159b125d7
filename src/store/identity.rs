//! What sign-in keeps in the database: password hashes, sessions, failed attempts, the
//! first-owner setup codes and single sign-on requests in flight. Everything here is
//! shared by every server on the database, so limits and single-use rules hold across
//! instances.

use super::{Store, StoreResult, UserRow};

/// A person found by email, with what proves who they are.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub password_hash: Option<String>,
}

/// A single sign-on round trip in flight, taken once by the callback.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct SignInRequest {
    pub state_hash: String,
    pub nonce: String,
    pub sealed_verifier: Vec<u8>,
    pub next: String,
    /// The invitation (its token hash) this sign-in accepts, if any.
    pub invitation: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    pub async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        super::plain_text("an email", email)?;
        Ok(sqlx::query_as::<_, Credentials>(
            "SELECT id, email, name, created_at, password_hash FROM users WHERE email = $1",
        )
        .bind(email)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|(h,)| h))
    }

    pub async fn set_password_hash(&self, user_id: i64, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn user_count(&self) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?;
        Ok(n)
    }

    pub async fn user_by_sso_subject(&self, subject: &str) -> StoreResult<Option<UserRow>> {
        Ok(sqlx::query_as::<_, UserRow>("SELECT id, email, name, created_at FROM users WHERE sso_subject = $1")
            .bind(subject)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn link_sso_subject(&self, user_id: i64, subject: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET sso_subject = $1 WHERE id = $2")
            .bind(subject)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of a person, or every one but `keep` (a token hash).
    pub async fn end_sessions(&self, user_id: i64, keep: Option<&str>) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(""))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn purge_expired_sessions(&self, at: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(at).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }

    pub async fn record_sign_in_failure(&self, subjects: &[&str], at: i64) -> StoreResult<()> {
        for subject in subjects {
            super::plain_text("an email", subject)?;
            sqlx::query("INSERT INTO sign_in_failures (subject, at) VALUES ($1, $2)")
                .bind(*subject)
                .bind(at)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// How many failures `subject` has had since `since`, and the oldest of them.
    pub async fn sign_in_failures(&self, subject: &str, since: i64) -> StoreResult<(i64, Option<i64>)> {
        Ok(sqlx::query_as("SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE subject = $1 AND at > $2")
            .bind(subject)
            .bind(since)
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn clear_sign_in_failures(&self, subject: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1").bind(subject).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn purge_sign_in_failures(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sign_in_failures WHERE at <= $1").bind(before).execute(self.pool()).await?;
        Ok(done.rows_affected())
    }

    pub async fn add_setup_code(&self, code_hash: &str, at: i64, expires_at: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO setup_codes (code_hash, created_at, expires_at) VALUES ($1, $2, $3)")
            .bind(code_hash)
            .bind(at)
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn setup_code_valid(&self, code_hash: &str, at: i64) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM setup_codes WHERE code_hash = $1 AND expires_at > $2")
            .bind(code_hash)
            .bind(at)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Creates the first person and ends every setup code, in one transaction that fails
    /// when somebody already exists: two setups racing make one owner, not two.
    pub async fn create_first_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        at: i64,
    ) -> StoreResult<Option<UserRow>> {
        super::plain_text("an email", email)?;
        super::plain_text("a name", name)?;
        let mut tx = self.pool().begin().await?;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
        if n > 0 {
            return Ok(None);
        }
        let user = sqlx::query_as::<_, UserRow>(
            "INSERT INTO users (email, name, created_at, password_hash) VALUES ($1, $2, $3, $4) \
             RETURNING id, email, name, created_at",
        )
        .bind(email)
        .bind(name)
        .bind(at)
        .bind(password_hash)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM setup_codes").execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    pub async fn insert_sign_in_request(&self, r: &SignInRequest) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sign_in_requests (state_hash, nonce, sealed_verifier, next, invitation, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&r.state_hash)
        .bind(&r.nonce)
        .bind(&r.sealed_verifier)
        .bind(&r.next)
        .bind(r.invitation.as_deref())
        .bind(r.created_at)
        .bind(r.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes a request exactly once: the row is deleted as it is read.
    pub async fn take_sign_in_request(&self, state_hash: &str, at: i64) -> StoreResult<Option<SignInRequest>> {
        Ok(sqlx::query_as::<_, SignInRequest>(
            "DELETE FROM sign_in_requests WHERE state_hash = $1 AND expires_at > $2 \
             RETURNING state_hash, nonce, sealed_verifier, next, invitation, created_at, expires_at",
        )
        .bind(state_hash)
        .bind(at)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn purge_expired_sign_in(&self, at: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_requests WHERE expires_at <= $1").bind(at).execute(self.pool()).await?;
        sqlx::query("DELETE FROM setup_codes WHERE expires_at <= $1").bind(at).execute(self.pool()).await?;
        Ok(())
    }

    /// A fact every server sharing the database must agree on (the token key's
    /// fingerprint): the stored value, after storing `value` if there was none.
    pub async fn agree_on_fact(&self, name: &str, value: &str, at: i64) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO server_facts (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .bind(at)
        .execute(self.pool())
        .await?;
        let (stored,): (String,) =
            sqlx::query_as("SELECT value FROM server_facts WHERE name = $1").bind(name).fetch_one(self.pool()).await?;
        Ok(stored)
    }

    pub async fn set_fact(&self, name: &str, value: &str, at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO server_facts (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
