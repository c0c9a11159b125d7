//! Logging with tracing: readable lines by default, JSON with `--json-logs` / `log.json`.

use crate::config::LogSettings;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (tests) are ignored. Logs go to
/// stderr so that commands printing JSON on stdout stay parseable.
pub fn init(log: &LogSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if log.json { builder.json().try_init() } else { builder.try_init() };
}
