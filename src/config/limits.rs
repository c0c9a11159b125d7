//! What keeps one client from taking the server down: HTTP timeouts, a cap on open
//! connections, body sizes, request rates, and how long old records are kept.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// A client has this long to send a request's headers (slow or half-sent requests
    /// are dropped).
    pub header_read_timeout_ms: u64,
    /// And this long to send its body.
    pub body_timeout_ms: u64,
    /// The whole request, answer included.
    pub request_timeout_ms: u64,
    /// Open connections beyond this wait to be accepted.
    pub max_connections: usize,
    /// Largest request body, in bytes, for routes that take one (forms and JSON).
    pub max_body_bytes: usize,
    /// Take the client address from the last `X-Forwarded-For` entry (set this only
    /// behind a proxy that writes that header).
    pub trust_forwarded_for: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            header_read_timeout_ms: 10_000,
            body_timeout_ms: 15_000,
            request_timeout_ms: 60_000,
            max_connections: 4096,
            max_body_bytes: 256 * 1024,
            trust_forwarded_for: false,
        }
    }
}

/// Request rates, per server instance (the counters live in memory: with N servers
/// behind a balancer a client gets up to N times these).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Requests per second one client address may sustain, and its burst.
    pub per_address_per_sec: u32,
    pub per_address_burst: u32,
    /// Requests per second one app key may sustain, and its burst.
    pub per_key_per_sec: u32,
    pub per_key_burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_address_per_sec: 50,
            per_address_burst: 200,
            per_key_per_sec: 100,
            per_key_burst: 400,
        }
    }
}

/// How long records are kept; the background task purges older ones.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    pub audit_log_days: i64,
    /// Finished runs (with their steps' inputs and outputs).
    pub runs_days: i64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { audit_log_days: 365, runs_days: 90 }
    }
}

/// The flow runner inside `patchbay serve` (and `patchbay worker`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunnerSettings {
    /// Run flows in this process (`patchbay worker` runs them regardless).
    pub enabled: bool,
    /// How often due schedules and queued runs are looked for.
    pub tick_ms: u64,
    /// A claimed schedule or run is this server's for this long.
    pub lease_secs: i64,
    /// After downtime, a missed occurrence this recent still runs (once); older ones are
    /// recorded as skipped.
    pub catch_up_secs: i64,
    /// Attempts of a run whose failures are passing (429, 5xx, timeouts).
    pub max_attempts: i64,
    /// The first retry waits this long; each next one twice as long.
    pub retry_base_secs: i64,
    /// Runs worked on at once by one server.
    pub concurrency: usize,
    /// How often each active flow with a connector trigger asks its provider for new items.
    pub poll_secs: i64,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            tick_ms: 1000,
            lease_secs: 120,
            catch_up_secs: 3600,
            max_attempts: 4,
            retry_base_secs: 15,
            concurrency: 8,
            poll_secs: 60,
        }
    }
}
