//! Invitations to an app: a single-use link (only its hash is kept) for one email and
//! role, with an expiry.

use super::{Store, StoreResult, now};
use crate::app::Role;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub app_id: i64,
    pub email: String,
    role: String,
    pub invited_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

impl InvitationRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::AppUser)
    }
}

macro_rules! columns {
    () => {
        "id, app_id, email, role, invited_by, created_at, expires_at, accepted_at"
    };
}

impl Store {
    pub async fn create_invitation(
        &self,
        token_hash: &str,
        app_id: i64,
        email: &str,
        role: Role,
        invited_by: i64,
        expires_at: i64,
    ) -> StoreResult<InvitationRow> {
        Ok(sqlx::query_as::<_, InvitationRow>(concat!(
            "INSERT INTO invitations (token_hash, app_id, email, role, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ",
            columns!()
        ))
        .bind(token_hash)
        .bind(app_id)
        .bind(email)
        .bind(role.as_str())
        .bind(invited_by)
        .bind(now())
        .bind(expires_at)
        .fetch_one(self.pool())
        .await?)
    }

    /// An invitation still open: not accepted, not expired.
    pub async fn open_invitation(&self, token_hash: &str, at: i64) -> StoreResult<Option<InvitationRow>> {
        Ok(sqlx::query_as::<_, InvitationRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
        ))
        .bind(token_hash)
        .bind(at)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Accepts an invitation exactly once and adds the membership, in one transaction.
    /// An existing member keeps the higher of the two roles. False when it was already
    /// taken or has expired.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        user_id: i64,
        at: i64,
    ) -> StoreResult<Option<InvitationRow>> {
        let mut tx = self.pool().begin().await?;
        let taken = sqlx::query_as::<_, InvitationRow>(concat!(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2 \
             WHERE token_hash = $3 AND accepted_at IS NULL AND expires_at > $1 RETURNING ",
            columns!()
        ))
        .bind(at)
        .bind(user_id)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(invitation) = taken else { return Ok(None) };
        let current: Option<(String,)> =
            sqlx::query_as("SELECT role FROM memberships WHERE app_id = $1 AND user_id = $2")
                .bind(invitation.app_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = current.and_then(|(r,)| Role::parse(&r));
        if current.is_none_or(|c| invitation.role().outranks(c)) {
            sqlx::query(
                "INSERT INTO memberships (app_id, user_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT (app_id, user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(invitation.app_id)
            .bind(user_id)
            .bind(invitation.role().as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(invitation))
    }

    /// Invitations not yet accepted (expired ones included, so the page can say so).
    pub async fn pending_invitations(&self, app_id: i64) -> StoreResult<Vec<InvitationRow>> {
        Ok(sqlx::query_as::<_, InvitationRow>(concat!(
            "SELECT ",
            columns!(),
            " FROM invitations WHERE app_id = $1 AND accepted_at IS NULL ORDER BY id DESC"
        ))
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn delete_invitation(&self, app_id: i64, id: i64) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM invitations WHERE app_id = $1 AND id = $2 AND accepted_at IS NULL")
            .bind(app_id)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
