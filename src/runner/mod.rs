//! Running flows: schedules fire, connector triggers poll, record changes, buttons and
//! "Run now" start runs, and a
//! worker takes each queued run through its steps. Everything a second server needs is in
//! the database (schedules and runs are claimed there with leases), so `patchbay serve`
//! and any number of `patchbay worker`s share the work. docs/runner.md says how.

pub mod actions;
pub mod conditions;
pub mod data;
pub mod events;
pub mod execute;
pub mod poll;
mod redact;
pub mod schedule;
pub mod scheduler;
pub mod scope;
mod steps;
pub mod webhooks;
pub mod worker;

use crate::config::RunnerSettings;
use crate::connections::TokenCipher;
use crate::store::Store;
use actions::ActionCaller;
use std::sync::Arc;

/// What running needs: the database, the way to call actions, an HTTP client for the
/// app's data source, and the key that opens the app's data-source secret.
pub struct Runner {
    pub store: Store,
    pub actions: Arc<dyn ActionCaller>,
    pub http: reqwest::Client,
    pub cipher: Arc<TokenCipher>,
    pub settings: RunnerSettings,
    /// This server's name in leases.
    pub owner: String,
}

impl Runner {
    pub fn new(
        settings: &crate::config::Settings,
        store: Store,
        cipher: Arc<TokenCipher>,
        actions: Arc<dyn ActionCaller>,
    ) -> anyhow::Result<Self> {
        // The app's data source is the host's own backend: no redirects, bounded time.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_millis(settings.tokens.http_timeout_ms))
            .build()?;
        let owner = format!("{}-{}", std::process::id(), crate::digest::short_id());
        Ok(Self { store, actions, http, cipher, settings: settings.runner.clone(), owner })
    }
}
