//! The rows the chat page draws, read over one pooled connection. sqlx checks each
//! connection that goes back to the pool (a ping: with SQLite a round trip to the
//! connection's worker thread, two context switches), so four reads on one connection cost
//! three round trips fewer than four reads that each borrow their own. The authors' names
//! come with the messages, which saves reading the app's members.

use super::{CardState, ChatMessage, ConnectionRow, PolicyRow, Store, StoreResult, connections, policies};

/// Which messages: one page of the conversation, or those after a message.
#[derive(Clone, Copy, Debug)]
pub enum Messages {
    /// The `limit` newest messages before message `before` (or the very newest).
    Page { before: Option<i64>, limit: i64 },
    /// The messages after this one (a turn just made).
    After(i64),
}

/// A message with its author's name while the author is a member of the app.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AuthoredMessage {
    #[sqlx(flatten)]
    pub message: ChatMessage,
    pub author_name: Option<String>,
}

/// The messages, oldest first, and what their cards depend on.
#[derive(Clone, Debug, Default)]
pub struct ChatRows {
    pub messages: Vec<AuthoredMessage>,
    /// Older messages exist before the page.
    pub older: bool,
    pub connections: Vec<ConnectionRow>,
    /// The builder's decisions on the cards of these messages.
    pub decisions: Vec<CardState>,
    pub policies: Vec<PolicyRow>,
}

/// The message columns, qualified for the join with the author.
macro_rules! authored {
    ($rest:literal) => {
        concat!(
            "SELECT m.id, m.app_id, m.author_id, m.role, m.body, m.payload, m.created_at, u.name AS author_name \
             FROM chat_messages m \
             LEFT JOIN memberships ms ON ms.app_id = m.app_id AND ms.user_id = m.author_id \
             LEFT JOIN users u ON u.id = ms.user_id ",
            $rest
        )
    };
}

impl Store {
    #[tracing::instrument(skip_all, fields(app = app_id))]
    pub async fn chat_rows(&self, app_id: i64, which: Messages) -> StoreResult<ChatRows> {
        let mut conn = self.pool().acquire().await?;
        let (messages, older) = match which {
            Messages::Page { before, limit } => {
                // The limit is written into the statement (a number), not bound: SQLite
                // plans with a bound LIMIT's value, so it prepared the statement again on
                // every run.
                let sql =
                    format!(authored!("WHERE m.app_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT {}"), limit + 1);
                let mut rows = sqlx::query_as::<_, AuthoredMessage>(sqlx::AssertSqlSafe(sql))
                    .bind(app_id)
                    .bind(before.unwrap_or(i64::MAX))
                    .fetch_all(&mut *conn)
                    .await?;
                let older = rows.len() as i64 > limit;
                rows.truncate(limit as usize);
                rows.reverse();
                (rows, older)
            }
            Messages::After(after) => {
                let rows =
                    sqlx::query_as::<_, AuthoredMessage>(authored!("WHERE m.app_id = $1 AND m.id > $2 ORDER BY m.id"))
                        .bind(app_id)
                        .bind(after)
                        .fetch_all(&mut *conn)
                        .await?;
                (rows, false)
            }
        };
        let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
            return Ok(ChatRows { older, ..ChatRows::default() });
        };
        let decisions = sqlx::query_as::<_, CardState>(
            "SELECT c.message_id, c.connector, c.state, c.detail, c.updated_by, c.updated_at FROM card_states c \
             JOIN chat_messages m ON m.id = c.message_id \
             WHERE m.app_id = $1 AND c.message_id >= $2 AND c.message_id <= $3",
        )
        .bind(app_id)
        .bind(first.message.id)
        .bind(last.message.id)
        .fetch_all(&mut *conn)
        .await?;
        let connections = connections::of_app(&mut *conn, app_id).await?;
        let policies = policies::of_app(&mut *conn, app_id).await?;
        Ok(ChatRows { messages, older, connections, decisions, policies })
    }
}
