//! Typed settings, layered: built-in defaults < `patchbay.toml` < `PATCHBAY_*` environment
//! variables (nested keys joined with `__`, e.g. `PATCHBAY_CONNECTORS__GMAIL__CLIENT_ID`)
//! < command-line flags. Secrets are `SecretString`s: their Debug output is redacted, so a
//! logged `Settings` never shows one.

mod actions;
mod auth;
mod limits;

pub use actions::ActionSettings;
pub use auth::{AuthSettings, OidcSettings};
pub use limits::{HttpSettings, RateLimitSettings, RetentionSettings, RunnerSettings};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `development` (the default) or `production`; production turns the sandbox off.
    pub env: Environment,
    pub bind: SocketAddr,
    /// Holds the SQLite database and the generated token key.
    pub data_dir: PathBuf,
    /// The address browsers and providers reach patchbay at; the OAuth redirect URI is
    /// this plus `/oauth/callback`. Defaults to `http://<bind>`.
    pub public_url: Option<String>,
    /// `postgres://…` for PostgreSQL; unset means SQLite in the data directory.
    pub database_url: Option<SecretString>,
    /// 32 bytes, base64: seals tokens at rest. Unset: a key file in the data directory.
    pub token_key: Option<SecretString>,
    /// Keys that sealed tokens before a rotation (newest first): they only open.
    pub previous_token_keys: Vec<SecretString>,
    /// Read the catalog from this directory instead of the copy built into the binary.
    pub catalog_dir: Option<PathBuf>,
    pub log: LogSettings,
    pub sandbox: SandboxSettings,
    pub connectors: BTreeMap<String, ConnectorSettings>,
    pub llm: LlmSettings,
    pub router: RouterSettings,
    pub tokens: TokenSettings,
    /// Seed the demo "Todo" app and its people on first start (development only).
    pub seed_demo: bool,
    pub auth: AuthSettings,
    pub http: HttpSettings,
    pub rate_limit: RateLimitSettings,
    pub retention: RetentionSettings,
    pub actions: ActionSettings,
    pub runner: RunnerSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            env: Environment::Development,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            public_url: None,
            database_url: None,
            token_key: None,
            previous_token_keys: Vec::new(),
            catalog_dir: None,
            log: LogSettings::default(),
            sandbox: SandboxSettings::default(),
            connectors: BTreeMap::new(),
            llm: LlmSettings::default(),
            router: RouterSettings::default(),
            tokens: TokenSettings::default(),
            seed_demo: true,
            auth: AuthSettings::default(),
            http: HttpSettings::default(),
            rate_limit: RateLimitSettings::default(),
            retention: RetentionSettings::default(),
            actions: ActionSettings::default(),
            runner: RunnerSettings::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    Production,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A tracing filter such as `info` or `patchbay=debug,tower_http=info`.
    pub level: String,
    pub json: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { level: "info".into(), json: false }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxSettings {
    /// Unset: on in development, off in production.
    pub enabled: Option<bool>,
    /// How long the sandbox's access tokens live; short values let tests see a refresh.
    pub access_token_ttl_secs: u64,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self { enabled: None, access_token_ttl_secs: 3600 }
    }
}

/// Client credentials and endpoint overrides for one connector
/// (`PATCHBAY_CONNECTORS__<ID>__CLIENT_ID`, `…__CLIENT_SECRET`, `…__TOKEN_URL`, …).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectorSettings {
    #[serde(deserialize_with = "string_or_number")]
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    /// OAuth 1.0a: where temporary credentials are asked for (`token_url` then stands for
    /// the access token URL).
    pub request_token_url: Option<String>,
    pub revocation_url: Option<String>,
    pub userinfo_url: Option<String>,
    /// Where its API lives, instead of the catalog's `api.base_url` (a self-hosted
    /// instance, or a stub in a test); absolute URLs of its steps move under it too.
    pub api_base_url: Option<String>,
    /// Accept plain-http endpoints (only for local test servers).
    pub allow_insecure_endpoints: bool,
}

/// The optional LLM that refines the offline router's answer (docs/llm.md). Any
/// OpenAI-compatible endpoint works: OpenAI, vLLM, Ollama, llama.cpp's server.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmSettings {
    /// Use the LLM by default (the chat, the API, `patchbay route`); `--llm` forces it.
    pub enabled: bool,
    pub base_url: String,
    pub api_key: Option<SecretString>,
    pub model: String,
    /// The whole budget for one answer, retry included; past it the rules answer.
    pub timeout_ms: u64,
    /// How the model is asked to answer: `json_schema` (structured output) or
    /// `tool_call` (for endpoints without structured output). Either shape is read back.
    pub answer_format: AnswerFormat,
    /// Answers remembered for identical requests (0 turns the cache off).
    pub cache_entries: usize,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: "https://api.openai.com/v1".into(),
            api_key: None,
            model: "gpt-4o-mini".into(),
            timeout_ms: 4000,
            answer_format: AnswerFormat::JsonSchema,
            cache_entries: 512,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerFormat {
    /// `response_format: {"type": "json_schema", …}`, answered in the message content.
    #[default]
    JsonSchema,
    /// One forced function call whose arguments follow the schema.
    ToolCall,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouterSettings {
    /// Longest prompt accepted, in characters.
    pub max_prompt_chars: usize,
    /// Rules answers remembered for identical requests (0 turns the cache off).
    pub cache_entries: usize,
}

impl Default for RouterSettings {
    fn default() -> Self {
        Self { max_prompt_chars: 4000, cache_entries: 128 }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenSettings {
    /// Refresh a token that expires within this many seconds.
    pub refresh_margin_secs: i64,
    /// How often the background task looks for tokens to refresh.
    pub refresh_interval_secs: u64,
    /// Connect and total timeouts for calls to providers.
    pub http_connect_timeout_ms: u64,
    pub http_timeout_ms: u64,
    /// Extra CA certificates (PEM) to trust for providers, e.g. a self-hosted GitLab
    /// behind a private CA.
    pub ca_file: Option<PathBuf>,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            refresh_margin_secs: 300,
            refresh_interval_secs: 60,
            http_connect_timeout_ms: 3000,
            http_timeout_ms: 10_000,
            ca_file: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Defaults < the TOML file (when it exists) < `PATCHBAY_*` environment variables.
    pub fn load(config_file: Option<&Path>) -> Result<Self, SettingsError> {
        let file = config_file.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("patchbay.toml"));
        if config_file.is_some() && !file.exists() {
            return Err(SettingsError(format!("the settings file {} does not exist", file.display())));
        }
        Figment::new()
            .merge(Toml::file(file))
            .merge(Env::prefixed("PATCHBAY_").split("__"))
            .extract::<Settings>()
            .map_err(|e| SettingsError(e.to_string()))
            .and_then(Settings::validated)
    }

    fn validated(self) -> Result<Self, SettingsError> {
        if let Some(url) = &self.public_url {
            let parsed = url::Url::parse(url).map_err(|e| SettingsError(format!("public_url '{url}': {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(SettingsError(format!("public_url '{url}' must be http or https")));
            }
        }
        if self.sandbox.access_token_ttl_secs == 0 {
            return Err(SettingsError("sandbox.access_token_ttl_secs must be above 0".into()));
        }
        if self.llm.timeout_ms == 0 {
            return Err(SettingsError("llm.timeout_ms must be above 0".into()));
        }
        if let Some(oidc) = &self.auth.oidc {
            url::Url::parse(&oidc.issuer)
                .map_err(|e| SettingsError(format!("auth.oidc.issuer '{}': {e}", oidc.issuer)))?;
        }
        if self.auth.session_ttl_hours <= 0 || self.auth.invitation_ttl_hours <= 0 {
            return Err(SettingsError("auth.session_ttl_hours and auth.invitation_ttl_hours must be above 0".into()));
        }
        if self.rate_limit.enabled
            && [
                self.rate_limit.per_address_per_sec,
                self.rate_limit.per_address_burst,
                self.rate_limit.per_key_per_sec,
                self.rate_limit.per_key_burst,
            ]
            .contains(&0)
        {
            return Err(SettingsError(
                "rate_limit rates and bursts must be above 0 (or rate_limit.enabled = false)".into(),
            ));
        }
        if self.actions.timeout_ms == 0 || self.actions.max_request_bytes == 0 || self.actions.max_response_bytes == 0 {
            return Err(SettingsError("actions.timeout_ms and the actions size limits must be above 0".into()));
        }
        if self.router.max_prompt_chars == 0 {
            return Err(SettingsError("router.max_prompt_chars must be above 0".into()));
        }
        Ok(self)
    }

    /// What production demands before it serves anyone: an `https://` public URL (cookies
    /// are `Secure` there) and an explicit token key (a generated key file would differ
    /// between servers). The error is one line that names the setting.
    pub fn check_production(&self) -> Result<(), SettingsError> {
        if self.env != Environment::Production {
            return Ok(());
        }
        if !self.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) {
            return Err(SettingsError(
                "production needs public_url (PATCHBAY_PUBLIC_URL) to be an https:// address".into(),
            ));
        }
        if self.token_key.is_none() {
            return Err(SettingsError(
                "production needs token_key (PATCHBAY_TOKEN_KEY): a base64 32-byte key shared by every server".into(),
            ));
        }
        if self.actions.allow_local_custom_apis {
            return Err(SettingsError(
                "actions.allow_local_custom_apis is for tests and development: production calls custom APIs on public hosts only".into(),
            ));
        }
        Ok(())
    }

    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }

    /// Development sign-in (pick a seeded person) and the demo seed exist only here.
    pub fn development_sign_in(&self) -> bool {
        !self.is_production()
    }

    /// Cookies carry `Secure` when browsers reach patchbay over https.
    pub fn secure_cookies(&self) -> bool {
        // Asked on every answer (HSTS): no string is built for it.
        self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }

    /// The public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    pub fn redirect_uri(&self) -> String {
        format!("{}/oauth/callback", self.public_url())
    }

    pub fn sandbox_enabled(&self) -> bool {
        self.sandbox.enabled.unwrap_or(self.env == Environment::Development)
    }

    pub fn connector(&self, id: &str) -> Option<&ConnectorSettings> {
        self.connectors.get(id)
    }
}

/// Environment values that look like numbers (a numeric client id) still mean strings.
fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        U(u64),
        I(i64),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|raw| match raw {
        Raw::S(s) => s,
        Raw::U(n) => n.to_string(),
        Raw::I(n) => n.to_string(),
    }))
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return its (large) error type
mod tests {
    use super::*;
    use figment::Jail;
    use secrecy::ExposeSecret;

    #[test]
    fn with_nothing_configured_the_defaults_are_the_embedded_ones() {
        Jail::expect_with(|_| {
            let s = Settings::load(None).expect("defaults load");
            assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
            assert_eq!(s.data_dir, PathBuf::from("./data"));
            assert!(s.database_url.is_none(), "SQLite is the default");
            assert!(s.sandbox_enabled());
            assert_eq!(s.redirect_uri(), "http://127.0.0.1:8080/oauth/callback");
            Ok(())
        });
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "patchbay.toml",
                "bind = \"0.0.0.0:9000\"\npublic_url = \"https://pb.example\"\n[connectors.gmail]\nclient_id = \"from-file\"\n",
            )?;
            jail.set_env("PATCHBAY_CONNECTORS__GMAIL__CLIENT_ID", "from-env");
            jail.set_env("PATCHBAY_CONNECTORS__GMAIL__CLIENT_SECRET", "s3cret-value");
            jail.set_env("PATCHBAY_ENV", "production");
            let s = Settings::load(None).expect("layers load");
            assert_eq!(s.bind.to_string(), "0.0.0.0:9000");
            let gmail = s.connector("gmail").unwrap();
            assert_eq!(gmail.client_id.as_deref(), Some("from-env"));
            assert_eq!(gmail.client_secret.as_ref().unwrap().expose_secret(), "s3cret-value");
            assert_eq!(s.redirect_uri(), "https://pb.example/oauth/callback");
            assert!(!s.sandbox_enabled(), "production turns the sandbox off");
            Ok(())
        });
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        Jail::expect_with(|jail| {
            jail.set_env("PATCHBAY_CONNECTORS__SLACK__CLIENT_SECRET", "xoxp-very-secret");
            jail.set_env("PATCHBAY_TOKEN_KEY", "a2V5LWtleS1rZXkta2V5");
            jail.set_env("PATCHBAY_DATABASE_URL", "postgres://u:hunter2@db/pb");
            jail.set_env("PATCHBAY_LLM__API_KEY", "sk-live-123");
            let s = Settings::load(None).unwrap();
            let shown = format!("{s:?}");
            for secret in ["xoxp-very-secret", "a2V5LWtleS1rZXkta2V5", "hunter2", "sk-live-123"] {
                assert!(!shown.contains(secret), "{secret} leaked into Debug output");
            }
            Ok(())
        });
    }

    #[test]
    fn a_numeric_client_id_from_the_environment_stays_a_string() {
        Jail::expect_with(|jail| {
            jail.set_env("PATCHBAY_CONNECTORS__FACEBOOK_PAGES__CLIENT_ID", "1234567890");
            let s = Settings::load(None).unwrap();
            assert_eq!(s.connector("facebook_pages").unwrap().client_id.as_deref(), Some("1234567890"));
            Ok(())
        });
    }

    #[test]
    fn a_misspelt_setting_is_an_error_not_silently_ignored() {
        Jail::expect_with(|jail| {
            jail.create_file("patchbay.toml", "bnid = \"0.0.0.0:1\"\n")?;
            let err = Settings::load(None).unwrap_err().to_string();
            assert!(err.contains("bnid"), "{err}");
            Ok(())
        });
    }
}
