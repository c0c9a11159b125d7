//! What an app's owner decides for AI agents (the MCP server): which actions are pinned or
//! hidden, whether write actions wait for a person, and the calls waiting for one.

use super::{Store, StoreResult, now, plain_text};

/// A pinned or hidden action (`gmail.send_email`).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ToolRuleRow {
    pub action: String,
    pub rule: String,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ConfirmationRow {
    pub token_hash: String,
    pub app_id: i64,
    pub action: String,
    pub inputs: String,
    pub inputs_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub used_at: Option<i64>,
}

/// A call waiting for a person.
pub struct NewConfirmation<'a> {
    pub token_hash: &'a str,
    pub app_id: i64,
    pub action: &'a str,
    pub inputs: &'a str,
    pub inputs_hash: &'a str,
    pub expires_at: i64,
}

macro_rules! confirmation_columns {
    () => {
        "token_hash, app_id, action, inputs, inputs_hash, created_at, expires_at, decision, decided_by, used_at"
    };
}

impl Store {
    pub async fn agent_confirm_writes(&self, app_id: i64) -> StoreResult<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT confirm_writes FROM agent_settings WHERE app_id = $1")
            .bind(app_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some_and(|(on,)| on != 0))
    }

    pub async fn set_agent_confirm_writes(&self, app_id: i64, on: bool, by: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agent_settings (app_id, confirm_writes, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (app_id) DO UPDATE SET confirm_writes = excluded.confirm_writes, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(i64::from(on))
        .bind(by)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn agent_tool_rules(&self, app_id: i64) -> StoreResult<Vec<ToolRuleRow>> {
        Ok(sqlx::query_as::<_, ToolRuleRow>(
            "SELECT action, rule FROM agent_tool_rules WHERE app_id = $1 ORDER BY action",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Pins or hides one action; `None` puts it back to the default.
    pub async fn set_agent_tool_rule(&self, app_id: i64, action: &str, rule: Option<&str>) -> StoreResult<()> {
        match rule {
            None => {
                sqlx::query("DELETE FROM agent_tool_rules WHERE app_id = $1 AND action = $2")
                    .bind(app_id)
                    .bind(action)
                    .execute(self.pool())
                    .await?;
            }
            Some(rule) => {
                sqlx::query(
                    "INSERT INTO agent_tool_rules (app_id, action, rule) VALUES ($1, $2, $3) \
                     ON CONFLICT (app_id, action) DO UPDATE SET rule = excluded.rule",
                )
                .bind(app_id)
                .bind(action)
                .bind(rule)
                .execute(self.pool())
                .await?;
            }
        }
        Ok(())
    }

    pub async fn insert_confirmation(&self, c: NewConfirmation<'_>) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO agent_confirmations (token_hash, app_id, action, inputs, inputs_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.token_hash)
        .bind(c.app_id)
        .bind(c.action)
        .bind(plain_text("an agent's inputs", c.inputs)?)
        .bind(c.inputs_hash)
        .bind(now())
        .bind(c.expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn confirmation(&self, token_hash: &str) -> StoreResult<Option<ConfirmationRow>> {
        Ok(sqlx::query_as::<_, ConfirmationRow>(concat!(
            "SELECT ",
            confirmation_columns!(),
            " FROM agent_confirmations WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records a person's answer, once, while the call still waits.
    pub async fn decide_confirmation(&self, token_hash: &str, approved: bool, by: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE agent_confirmations SET decision = $1, decided_by = $2 \
             WHERE token_hash = $3 AND decision IS NULL AND expires_at > $4",
        )
        .bind(if approved { "approved" } else { "refused" })
        .bind(by)
        .bind(token_hash)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes an approval for exactly this call, once: true when there was one.
    pub async fn use_approval(&self, app_id: i64, action: &str, inputs_hash: &str) -> StoreResult<bool> {
        let at = now();
        let found: Option<(String,)> = sqlx::query_as(
            "SELECT token_hash FROM agent_confirmations WHERE app_id = $1 AND action = $2 AND inputs_hash = $3 \
             AND decision = 'approved' AND used_at IS NULL AND expires_at > $4 ORDER BY created_at LIMIT 1",
        )
        .bind(app_id)
        .bind(action)
        .bind(inputs_hash)
        .bind(at)
        .fetch_optional(self.pool())
        .await?;
        let Some((token_hash,)) = found else { return Ok(false) };
        let done = sqlx::query("UPDATE agent_confirmations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
            .bind(at)
            .bind(&token_hash)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
