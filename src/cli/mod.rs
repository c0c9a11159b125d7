//! The command line: `patchbay serve | route | catalog | migrate | flow`. Each command
//! lives in its own file; this one only declares the arguments and dispatches.

mod apps_cmd;
mod catalog_cmd;
mod flow_cmd;
mod keys_cmd;
mod route_cmd;
mod serve_cmd;
mod users_cmd;

use crate::config::Settings;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

const SETTINGS_HELP: &str = "\
SETTINGS (defaults < patchbay.toml < PATCHBAY_* environment < flags; nested keys joined by __):
  env                         development | production (production turns the sandbox off)   PATCHBAY_ENV
  bind                        address to listen on [127.0.0.1:8080]                          PATCHBAY_BIND
  data_dir                    SQLite database and generated key file [./data]               PATCHBAY_DATA_DIR
  public_url                  URL browsers reach patchbay at; redirect URI = it + /oauth/callback
                                                                                             PATCHBAY_PUBLIC_URL
  database_url (secret)       postgres://… to use PostgreSQL instead of SQLite               PATCHBAY_DATABASE_URL
  token_key (secret)          base64 32-byte key sealing tokens at rest [generated file]     PATCHBAY_TOKEN_KEY
  catalog_dir                 read connectors from this directory, not the built-in copy     PATCHBAY_CATALOG_DIR
  seed_demo                   seed the demo Todo app on first start [true]                   PATCHBAY_SEED_DEMO
  log.level, log.json         tracing filter [info]; JSON log lines [false]                  PATCHBAY_LOG__LEVEL
  sandbox.enabled             built-in sandbox authorization server [on in development]      PATCHBAY_SANDBOX__ENABLED
  connectors.<id>.client_id, .client_secret (secret), .authorization_url, .token_url,
  .revocation_url, .userinfo_url, .allow_insecure_endpoints   PATCHBAY_CONNECTORS__GMAIL__CLIENT_ID …
  llm.enabled, llm.base_url, llm.api_key (secret), llm.model, llm.timeout_ms [4000],
  llm.answer_format (json_schema | tool_call), llm.cache_entries [512]   PATCHBAY_LLM__BASE_URL … (docs/llm.md)
  router.max_prompt_chars     longest prompt accepted [4000]                                 PATCHBAY_ROUTER__MAX_PROMPT_CHARS
  tokens.refresh_margin_secs, tokens.refresh_interval_secs, tokens.http_connect_timeout_ms,
  tokens.http_timeout_ms      token refresh and provider HTTP timeouts                       PATCHBAY_TOKENS__…
  tokens.ca_file              extra CA certificates (PEM) trusted for providers              PATCHBAY_TOKENS__CA_FILE
  previous_token_keys (secret) keys from before a rotation, newest first; they only open     PATCHBAY_PREVIOUS_TOKEN_KEYS
  auth.session_ttl_hours [336], auth.invitation_ttl_hours [72], auth.failures_per_account [5],
  auth.failures_per_address [30], auth.failure_window_secs [900]                            PATCHBAY_AUTH__…
  auth.oidc.issuer, .client_id, .client_secret (secret), .label   single sign-on (OpenID Connect)
  http.header_read_timeout_ms [10000], http.body_timeout_ms [15000], http.request_timeout_ms [60000],
  http.max_connections [4096], http.max_body_bytes [262144], http.trust_forwarded_for [false]
  rate_limit.enabled [true], rate_limit.per_address_per_sec [50], .per_address_burst [200],
  rate_limit.per_key_per_sec [100], .per_key_burst [400]   (per server instance)
  retention.audit_log_days    audit entries older than this are purged [365]";

#[derive(Debug, Parser)]
#[command(name = "patchbay", version, about = "Turns a builder's chat request into working, authorised connections to outside tools.", after_long_help = SETTINGS_HELP)]
pub struct Cli {
    /// Settings file (default: ./patchbay.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write log lines as JSON.
    #[arg(long, global = true)]
    pub json_logs: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server: the builder's pages, the API and the OAuth callback.
    Serve(ServeArgs),
    /// Run flows (schedules, events, the queue) without the web server, beside `serve`.
    Worker(DataArgs),
    /// Decide which connectors a request needs; prints JSON (see DESIGN.md).
    Route(RouteArgs),
    /// Check or list the connector catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Create or upgrade the database schema, then exit.
    Migrate(DataArgs),
    /// Draft, show or validate flow definitions.
    #[command(subcommand)]
    Flow(FlowCommand),
    /// Add people from the command line (the first owner, for one).
    #[command(subcommand)]
    Users(UsersCommand),
    /// App keys for the host's backend.
    #[command(subcommand)]
    Apps(AppsCommand),
    /// Rotate the key that seals tokens at rest, and re-seal tokens under the newest key.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a person with a password read from stdin (one line).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the password from stdin, so it never shows in the process list or history.
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the person an owner of this app.
        #[arg(long, value_name = "APP_ID")]
        owner_of: Option<i64>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Create, list or revoke app keys.
    #[command(subcommand)]
    Keys(AppKeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum AppKeysCommand {
    /// Create a key and print it once.
    Create {
        #[arg(long, value_name = "APP_ID")]
        app: i64,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List an app's keys (never the keys themselves).
    List {
        #[arg(long, value_name = "APP_ID")]
        app: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke a key by its id (from `list`).
    Revoke {
        #[arg(long, value_name = "APP_ID")]
        app: i64,
        #[arg(long, value_name = "KEY_ID")]
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new token key and register it with the database; the old one keeps opening
    /// what it sealed.
    Rotate(DataArgs),
    /// Re-seal every connection's tokens under the newest key.
    Rewrap(DataArgs),
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Where the SQLite database and key file live (default ./data).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::SocketAddr>,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct RouteArgs {
    /// The request to route (omit with --jsonl).
    pub prompt: Option<String>,
    /// JSON file with the app's structure.
    #[arg(long, value_name = "FILE")]
    pub app: Option<PathBuf>,
    /// Preselected connector ids, comma-separated (the homepage chips).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub chips: Vec<String>,
    /// Read {"prompt", "app"?, "chips"?} lines on stdin; write one JSON line for each.
    #[arg(long, conflicts_with_all = ["prompt", "app", "chips"])]
    pub jsonl: bool,
    /// Ask the configured LLM to refine the answer (falls back to the rules).
    #[arg(long, conflicts_with = "no_llm")]
    pub llm: bool,
    /// Use only the offline rules even when an LLM is configured.
    #[arg(long)]
    pub no_llm: bool,
    /// Add "explain" to each answer: the lexicon entries that fired and every candidate's
    /// signals and confidence (rules only).
    #[arg(long, conflicts_with = "llm")]
    pub explain: bool,
    /// Read the lexicon from this directory instead of the built-in copy (to try a change).
    #[arg(long, value_name = "DIR")]
    pub lexicon: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Validate every connector file; exit 1 and name file and line for each problem.
    Check {
        /// Directory of connector files (default catalog/connectors, else the built-in copy).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// List the connectors.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Print a stored flow's current definition as JSON.
    Show {
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Wire a request into a flow, or say what to ask first; prints JSON (see DESIGN.md).
    Draft(DraftArgs),
    /// Validate a flow definition file against the catalog and, optionally, an app.
    Validate {
        file: PathBuf,
        /// JSON file with the app's structure (checks entities and fields).
        #[arg(long, value_name = "FILE")]
        app: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// The request to wire (omit with --jsonl).
    pub prompt: Option<String>,
    /// JSON file with the app's structure (may carry "time_zone").
    #[arg(long, value_name = "FILE")]
    pub app: Option<PathBuf>,
    /// Who "me" is (an email address); without it, "me" becomes a setting.
    #[arg(long, value_name = "EMAIL")]
    pub requester: Option<String>,
    /// Read {"prompt", "app"?} lines on stdin; write one JSON line for each.
    #[arg(long, conflicts_with_all = ["prompt", "app"])]
    pub jsonl: bool,
}

pub fn run(cli: Cli) -> ExitCode {
    let mut settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("patchbay: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.json_logs {
        settings.log.json = true;
    }
    let outcome = match cli.command {
        Command::Serve(args) => serve_cmd::run(settings, args),
        Command::Route(args) => route_cmd::run(settings, args),
        Command::Catalog(cmd) => catalog_cmd::run(settings, cmd),
        Command::Migrate(args) => serve_cmd::migrate(settings, args),
        Command::Worker(args) => serve_cmd::worker(settings, args),
        Command::Flow(cmd) => flow_cmd::run(settings, cmd),
        Command::Users(cmd) => users_cmd::run(settings, cmd),
        Command::Apps(cmd) => apps_cmd::run(settings, cmd),
        Command::Keys(cmd) => keys_cmd::run(settings, cmd),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("patchbay: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn apply_data_dir(settings: &mut Settings, data: &DataArgs) {
    if let Some(dir) = &data.data_dir {
        settings.data_dir = dir.clone();
    }
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Runs `work` against the migrated database (quiet logs, for commands that print).
pub(crate) fn with_store<T>(
    mut settings: Settings,
    data: &DataArgs,
    work: impl AsyncFnOnce(&Settings, &crate::store::Store) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    apply_data_dir(&mut settings, data);
    let mut log = settings.log.clone();
    if std::env::var_os("RUST_LOG").is_none() {
        log.level = "warn".into();
    }
    crate::telemetry::init(&log);
    runtime()?.block_on(async {
        crate::startup::install_crypto_provider();
        let store = crate::startup::open_store(&settings).await?;
        let outcome = work(&settings, &store).await;
        store.close().await;
        outcome
    })
}
