//! Persistence. One `Store` over sqlx's `Any` driver: the SQL is written once, in the
//! dialect SQLite and PostgreSQL share (`$1` placeholders, `RETURNING`, partial unique
//! indexes), and the two backends differ only in how they connect and in their migration
//! folders. Everything a second server instance would need lives here, never in memory.

mod agents;
mod app_users;
mod audit;
mod calls;
mod chat;
mod chat_view;
mod connections;
mod custom_apis;
mod flows;
mod identity;
mod invitations;
mod keys;
mod lease;
mod mcp_oauth;
mod mcp_sessions;
mod outbox;
mod pending;
mod policies;
mod polls;
mod records;
pub mod retention;
mod runs;
mod sandbox;
mod sandbox_oauth1;
mod users;
mod webhooks;

pub use agents::{ConfirmationRow, NewConfirmation, ToolRuleRow};
pub use app_users::{AppUserConnectorRow, AppUserCounts, AppUserGrant, ConnectSessionRow, SessionUse};
pub use audit::AuditEntry;
pub use calls::{NewCall, RecentUse};
pub use chat::{CardState, ChatMessage, NewMessage};
pub use chat_view::{AuthoredMessage, ChatRows, Messages};
pub use connections::{ConnectionRow, NewConnection, TokenUpdate};
pub use custom_apis::CustomApiRow;
pub use flows::{FlowRow, FlowVersionRow};
pub use identity::{Credentials, SignInRequest};
pub use invitations::InvitationRow;
pub use keys::AppKeyRow;
pub use mcp_oauth::{McpClientRow, McpCodeRow, McpGrantRow, NewMcpCode, RefreshUse};
pub use mcp_sessions::{MCP_SESSION_IDLE_SECS, McpSessionRow, NewMcpSession};
pub use outbox::{FaultRow, NewOutboxCall, OutboxRow};
pub use pending::{PendingAuthorization, PendingSwitch};
pub use policies::PolicyRow;
pub use polls::PollRow;
pub use records::RecordRow;
pub use runs::{NewRun, RunRow, ScheduleRow};
pub use sandbox::{CodeRedemption, NewSandboxAccessToken, NewSandboxGrant, SandboxAccess, SandboxCode, SandboxGrant};
pub use sandbox_oauth1::{NewSandboxOAuth1Token, OAUTH1_ACCESS, OAUTH1_REQUEST, SandboxOAuth1Token};
pub use users::{AppRow, Member, SessionMember, UserRow};
pub use webhooks::DeliveryRow;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write (e.g. a second shared connection).
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("unsupported database URL: use sqlite:… or postgres://…")]
    UnsupportedUrl,
    /// Text no backend should keep (a NUL character, which PostgreSQL refuses and SQLite
    /// would store): refused the same way on both.
    #[error("{0}")]
    InvalidText(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        // 22021: PostgreSQL's "invalid byte sequence" for a NUL in text; a safety net
        // behind `plain_text`, which catches it before it is sent.
        match &err {
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                StoreError::InvalidText("text cannot contain NUL characters".into())
            }
            _ => StoreError::Database(err),
        }
    }
}

/// Refuses text with a NUL character before it reaches either backend.
pub(crate) fn plain_text<'a>(what: &str, text: &'a str) -> StoreResult<&'a str> {
    if text.contains('\0') {
        return Err(StoreError::InvalidText(format!("{what} cannot contain NUL characters")));
    }
    Ok(text)
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `sqlite:…` or `postgres://…` and runs the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let store = Self::connect_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect_without_migrating(url: &str) -> StoreResult<Self> {
        install_default_drivers();
        let backend = Backend::of_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            // SQLite serialises writers anyway; a handful of connections serve readers.
            Backend::Sqlite => {
                options
                    .max_connections(8)
                    // A ping before each query would cost a round trip to the connection's
                    // worker thread (two context switches) and can find nothing wrong: the
                    // database is a file in this process, not a server that may go away.
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL with synchronous=NORMAL: a commit no longer waits for the disk
                            // (the WAL is synced at checkpoints), which SQLite documents as
                            // safe from corruption; a power cut may lose the last commits.
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.max_connections(16).connect(url).await?,
        };
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one writer writes; the mode sticks to the file.
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        Ok(Self { pool, backend })
    }

    /// The SQLite database inside a data directory, created on first use.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join("patchbay.db").display())
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// True when a trivial query answers: what `/healthz` reports.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps a unique-index violation to a conflict a person can act on.
pub(crate) fn conflict_or(err: sqlx::Error, message: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message.to_owned()),
        _ => StoreError::from(err),
    }
}

/// Current Unix time in seconds: the one clock the store's callers use.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn parse_json_list(raw: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("expected a JSON list of strings: {e}")))
}
