//! The AI chat of each app: its messages (the assistant's carry the routing result and
//! cards as JSON) and what the builder decided on each card.

use super::{Store, StoreResult, now};

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ChatMessage {
    pub id: i64,
    pub app_id: i64,
    pub author_id: Option<i64>,
    /// `builder` or `assistant`.
    pub role: String,
    pub body: String,
    /// JSON the page renders from (the route result, the cards); `None` for plain text.
    pub payload: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct NewMessage<'a> {
    pub app_id: i64,
    pub author_id: Option<i64>,
    pub role: &'a str,
    pub body: &'a str,
    pub payload: Option<&'a str>,
}

/// The builder's decision on one approval card: `skipped`, `connected`, `failed`, or
/// `pending` (brought back after a skip).
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CardState {
    pub message_id: i64,
    pub connector: String,
    pub state: String,
    pub detail: Option<String>,
    pub updated_by: Option<i64>,
    pub updated_at: i64,
}

/// The selected columns, as a macro so queries stay `&'static str` (sqlx refuses
/// SQL built at run time unless asserted safe).
macro_rules! columns {
    () => {
        "id, app_id, author_id, role, body, payload, created_at"
    };
}

impl Store {
    pub async fn add_message(&self, m: NewMessage<'_>) -> StoreResult<ChatMessage> {
        super::plain_text("a message", m.body)?;
        Ok(sqlx::query_as::<_, ChatMessage>(concat!(
            "INSERT INTO chat_messages (app_id, author_id, role, body, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            columns!(),
            ""
        ))
        .bind(m.app_id)
        .bind(m.author_id)
        .bind(m.role)
        .bind(m.body)
        .bind(m.payload)
        .bind(now())
        .fetch_one(self.pool())
        .await?)
    }

    /// Replaces what a message says and shows (an answered question changes its cards).
    pub async fn set_message_answer(&self, id: i64, body: &str, payload: &str) -> StoreResult<()> {
        sqlx::query("UPDATE chat_messages SET body = $1, payload = $2 WHERE id = $3")
            .bind(body)
            .bind(payload)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn message(&self, id: i64) -> StoreResult<Option<ChatMessage>> {
        Ok(sqlx::query_as::<_, ChatMessage>(concat!("SELECT ", columns!(), " FROM chat_messages WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Oldest first, as the conversation reads.
    pub async fn messages_of_app(&self, app_id: i64) -> StoreResult<Vec<ChatMessage>> {
        Ok(sqlx::query_as::<_, ChatMessage>(concat!(
            "SELECT ",
            columns!(),
            " FROM chat_messages WHERE app_id = $1 ORDER BY id"
        ))
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn set_card_state(
        &self,
        message_id: i64,
        connector: &str,
        state: &str,
        detail: Option<&str>,
        user_id: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO card_states (message_id, connector, state, detail, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id, connector) DO UPDATE SET \
             state = excluded.state, detail = excluded.detail, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(message_id)
        .bind(connector)
        .bind(state)
        .bind(detail)
        .bind(user_id)
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn card_states_of_app(&self, app_id: i64) -> StoreResult<Vec<CardState>> {
        Ok(sqlx::query_as::<_, CardState>(
            "SELECT c.message_id, c.connector, c.state, c.detail, c.updated_by, c.updated_at FROM card_states c \
             JOIN chat_messages m ON m.id = c.message_id WHERE m.app_id = $1",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }
}
