//! Users, apps, who belongs to which app with which role, and sign-in sessions.

use super::{Store, StoreError, StoreResult, conflict_or, now, plain_text};
use crate::app::Role;

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AppRow {
    pub id: i64,
    pub name: String,
    /// The app structure as JSON (see `app::AppStructure`).
    pub structure: String,
    pub time_zone: String,
    pub created_by: Option<i64>,
    pub created_at: i64,
}

/// A session's person, the app asked about (when it exists) and their role in it (when
/// they are part of it).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionMember {
    pub user: UserRow,
    pub app: Option<AppRow>,
    pub role: Option<Role>,
    /// The app's revision: it moves whenever anything the app's chat shows may have
    /// changed (database triggers move it, see migration 0018).
    pub revision: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub user: UserRow,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct WithRole<T> {
    #[sqlx(flatten)]
    row: T,
    role: String,
}

/// A session's person and, through LEFT JOINs, an app and their role in it.
#[derive(sqlx::FromRow)]
struct SessionMemberRow {
    #[sqlx(flatten)]
    user: UserRow,
    app_id: Option<i64>,
    app_name: Option<String>,
    app_structure: Option<String>,
    app_time_zone: Option<String>,
    app_created_by: Option<i64>,
    app_created_at: Option<i64>,
    app_revision: Option<i64>,
    role: Option<String>,
}

impl SessionMemberRow {
    fn split(self) -> StoreResult<SessionMember> {
        let app = match (self.app_id, self.app_name, self.app_structure, self.app_time_zone, self.app_created_at) {
            (Some(id), Some(name), Some(structure), Some(time_zone), Some(created_at)) => {
                Some(AppRow { id, name, structure, time_zone, created_by: self.app_created_by, created_at })
            }
            _ => None,
        };
        let role = self.role.as_deref().map(parse_role).transpose()?;
        Ok(SessionMember { user: self.user, app, role, revision: self.app_revision })
    }
}

#[derive(sqlx::FromRow)]
struct WithOptionalRole<T> {
    #[sqlx(flatten)]
    row: T,
    role: Option<String>,
}

impl Store {
    pub async fn create_user(&self, email: &str, name: &str) -> StoreResult<UserRow> {
        plain_text("an email", email)?;
        plain_text("a name", name)?;
        sqlx::query_as::<_, UserRow>(
            "INSERT INTO users (email, name, created_at) VALUES ($1, $2, $3) RETURNING id, email, name, created_at",
        )
        .bind(email)
        .bind(name)
        .bind(now())
        .fetch_one(self.pool())
        .await
        .map_err(|e| conflict_or(e, &format!("a user with the email {email} already exists")))
    }

    pub async fn user(&self, id: i64) -> StoreResult<Option<UserRow>> {
        Ok(sqlx::query_as::<_, UserRow>("SELECT id, email, name, created_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        Ok(sqlx::query_as::<_, UserRow>("SELECT id, email, name, created_at FROM users ORDER BY id")
            .fetch_all(self.pool())
            .await?)
    }

    /// Creates the app and makes `owner` its owner, in one transaction.
    pub async fn create_app(&self, name: &str, structure: &str, time_zone: &str, owner: i64) -> StoreResult<AppRow> {
        plain_text("an app name", name)?;
        plain_text("an app structure", structure)?;
        let mut tx = self.pool().begin().await?;
        let app = sqlx::query_as::<_, AppRow>(
            "INSERT INTO apps (name, structure, time_zone, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, name, structure, time_zone, created_by, created_at",
        )
        .bind(name)
        .bind(structure)
        .bind(time_zone)
        .bind(owner)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO memberships (app_id, user_id, role) VALUES ($1, $2, 'owner')")
            .bind(app.id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(app)
    }

    pub async fn app(&self, id: i64) -> StoreResult<Option<AppRow>> {
        Ok(sqlx::query_as::<_, AppRow>(
            "SELECT id, name, structure, time_zone, created_by, created_at FROM apps WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The app and the user's role in it (`None` when they are not part of it), in one
    /// query: every app page asks both.
    pub async fn app_with_role(&self, app_id: i64, user_id: i64) -> StoreResult<Option<(AppRow, Option<Role>)>> {
        let row = sqlx::query_as::<_, WithOptionalRole<AppRow>>(
            "SELECT a.id, a.name, a.structure, a.time_zone, a.created_by, a.created_at, m.role FROM apps a \
             LEFT JOIN memberships m ON m.app_id = a.id AND m.user_id = $2 WHERE a.id = $1",
        )
        .bind(app_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.row, r.role.as_deref().map(parse_role).transpose()?))).transpose()
    }

    pub async fn app_count(&self) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM apps").fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// The apps a user belongs to, newest first, with the user's role in each.
    pub async fn apps_of_user(&self, user_id: i64) -> StoreResult<Vec<(AppRow, Role)>> {
        let rows = sqlx::query_as::<_, WithRole<AppRow>>(
            "SELECT a.id, a.name, a.structure, a.time_zone, a.created_by, a.created_at, m.role \
             FROM apps a JOIN memberships m ON m.app_id = a.id WHERE m.user_id = $1 ORDER BY a.id DESC",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| Ok((r.row, parse_role(&r.role)?))).collect()
    }

    pub async fn update_app_structure(&self, app_id: i64, structure: &str) -> StoreResult<()> {
        plain_text("an app structure", structure)?;
        let done = sqlx::query("UPDATE apps SET structure = $1 WHERE id = $2")
            .bind(structure)
            .bind(app_id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Adds a member or changes the role of an existing one.
    pub async fn set_member(&self, app_id: i64, user_id: i64, role: Role) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO memberships (app_id, user_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (app_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(role.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Changes a member's role, or removes them (`None`), unless that would leave the app
    /// without an owner. Checked in the same transaction as the change, so two owners
    /// demoting each other at once cannot both succeed.
    pub async fn change_member(&self, app_id: i64, user_id: i64, role: Option<Role>) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        let current: Option<(String,)> =
            sqlx::query_as("SELECT role FROM memberships WHERE app_id = $1 AND user_id = $2")
                .bind(app_id)
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((current,)) = current else { return Err(StoreError::NotFound) };
        if current == Role::Owner.as_str() && role != Some(Role::Owner) {
            let (owners,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE app_id = $1 AND role = 'owner'")
                    .bind(app_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if owners <= 1 {
                return Err(StoreError::Conflict(
                    "An app always keeps at least one owner: make someone else an owner first.".into(),
                ));
            }
        }
        match role {
            Some(role) => {
                sqlx::query("UPDATE memberships SET role = $1 WHERE app_id = $2 AND user_id = $3")
                    .bind(role.as_str())
                    .bind(app_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM memberships WHERE app_id = $1 AND user_id = $2")
                    .bind(app_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
            }
        };
        tx.commit().await?;
        Ok(())
    }

    pub async fn rename_app(&self, app_id: i64, name: &str) -> StoreResult<()> {
        plain_text("an app name", name)?;
        let done =
            sqlx::query("UPDATE apps SET name = $1 WHERE id = $2").bind(name).bind(app_id).execute(self.pool()).await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn set_app_time_zone(&self, app_id: i64, time_zone: &str) -> StoreResult<()> {
        sqlx::query("UPDATE apps SET time_zone = $1 WHERE id = $2")
            .bind(time_zone)
            .bind(app_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Deletes the app; its memberships, connections, flows, chat, keys and invitations go
    /// with it (ON DELETE CASCADE). Revoking the connections first is the caller's job.
    pub async fn delete_app(&self, app_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM apps WHERE id = $1").bind(app_id).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        Ok(sqlx::query_as::<_, UserRow>("SELECT id, email, name, created_at FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn create_user_with_password(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> StoreResult<UserRow> {
        plain_text("an email", email)?;
        plain_text("a name", name)?;
        sqlx::query_as::<_, UserRow>(
            "INSERT INTO users (email, name, created_at, password_hash) VALUES ($1, $2, $3, $4)              RETURNING id, email, name, created_at",
        )
        .bind(email)
        .bind(name)
        .bind(now())
        .bind(password_hash)
        .fetch_one(self.pool())
        .await
        .map_err(|e| conflict_or(e, &format!("a user with the email {email} already exists")))
    }

    pub async fn role_of(&self, app_id: i64, user_id: i64) -> StoreResult<Option<Role>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT role FROM memberships WHERE app_id = $1 AND user_id = $2")
            .bind(app_id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|(r,)| parse_role(&r)).transpose()
    }

    pub async fn members(&self, app_id: i64) -> StoreResult<Vec<Member>> {
        let rows = sqlx::query_as::<_, WithRole<UserRow>>(
            "SELECT u.id, u.email, u.name, u.created_at, m.role FROM users u \
             JOIN memberships m ON m.user_id = u.id WHERE m.app_id = $1 ORDER BY u.id",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| Ok(Member { role: parse_role(&r.role)?, user: r.row })).collect()
    }

    /// Stores a session by the hash of its cookie token (the token itself is never stored).
    pub async fn create_session(&self, token_hash: &str, user_id: i64, expires_at: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now())
            .bind(expires_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn session_user(&self, token_hash: &str, at: i64) -> StoreResult<Option<UserRow>> {
        Ok(sqlx::query_as::<_, UserRow>(
            "SELECT u.id, u.email, u.name, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(at)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The person a session signs in, with the app `app_id` and their role in it when the
    /// app exists: one query for what every app page asks first.
    pub async fn session_member(&self, token_hash: &str, at: i64, app_id: i64) -> StoreResult<Option<SessionMember>> {
        let row = sqlx::query_as::<_, SessionMemberRow>(
            "SELECT u.id, u.email, u.name, u.created_at, a.id AS app_id, a.name AS app_name, \
             a.structure AS app_structure, a.time_zone AS app_time_zone, a.created_by AS app_created_by, \
             a.created_at AS app_created_at, a.revision AS app_revision, m.role FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN apps a ON a.id = $3 LEFT JOIN memberships m ON m.app_id = a.id AND m.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(at)
        .bind(app_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(SessionMemberRow::split).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(self.pool()).await?;
        Ok(())
    }
}

fn parse_role(raw: &str) -> StoreResult<Role> {
    Role::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("unknown role '{raw}'")))
}
