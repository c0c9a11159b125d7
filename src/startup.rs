//! Builds the application from settings: catalog, store, key, state, listener.
//! `Application::build` binds (port 0 works, for tests) and `run_until_stopped` serves
//! until Ctrl-C or SIGTERM, letting requests in flight finish.

use crate::config::Settings;
use crate::connections::TokenCipher;
use crate::http::{self, AppState};
use crate::store::Store;
use anyhow::Context;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// The setup code printed at start while nobody has an account.
    setup_code: Option<String>,
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        install_crypto_provider();
        crate::http::install_panic_hook();
        settings.check_production()?;
        let listener =
            TcpListener::bind(settings.bind).await.with_context(|| format!("cannot listen on {}", settings.bind))?;
        let addr = listener.local_addr()?;
        settings.bind = addr;
        let state = prepare(settings).await?;
        let setup_code = crate::identity::setup::announce(&state.store).await?;
        if let Some(code) = &setup_code {
            tracing::warn!(
                setup_code = %code,
                "nobody has an account yet: open {}/setup and enter this setup code, or run `patchbay users add`",
                state.settings.public_url()
            );
        }
        Ok(Self { listener, state, setup_code })
    }

    pub fn port(&self) -> u16 {
        self.state.settings.bind.port()
    }

    pub fn setup_code(&self) -> Option<&str> {
        self.setup_code.as_deref()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        tracing::info!(url = %self.state.settings.public_url(), "patchbay is listening");
        let background = crate::http::spawn_background(&self.state);
        let runner = self.state.settings.runner.enabled.then(|| {
            let polls = tokio::spawn(crate::runner::poll::poll_forever(self.state.runner.clone()));
            (tokio::spawn(crate::runner::worker::run_forever(self.state.runner.clone())), polls)
        });
        let app = http::router(self.state.clone());
        http::serve::serve(self.listener, app, &self.state.settings.http, stop).await;
        background.abort();
        if let Some((runner, polls)) = runner {
            runner.abort();
            polls.abort();
        }
        self.state.store.close().await;
        tracing::info!("patchbay stopped");
        Ok(())
    }
}

/// Everything but the listener: catalog, database (migrated, and seeded in development),
/// the token key (checked against the database), and the state built from them. The
/// server and `patchbay worker` both start here.
pub async fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    let catalog = crate::load_catalog(&settings)?;
    let store = open_store(&settings).await?;
    // The demo people sign in without a password: never in production.
    if settings.seed_demo && settings.development_sign_in() && crate::app::demo::seed_if_empty(&store).await?.is_some()
    {
        tracing::info!("seeded the demo app \"Todo\" and its people (development sign-in)");
    }
    let cipher =
        TokenCipher::load_or_create(settings.token_key.as_ref(), &settings.previous_token_keys, &settings.data_dir)?;
    crate::connections::keys::agree_with_database(&store, &cipher).await?;
    AppState::new(settings, Arc::new(catalog), store, cipher)
}

/// `patchbay worker`: runs flows and keeps tokens fresh, without the web server, until
/// Ctrl-C or SIGTERM.
pub async fn run_worker(mut settings: Settings) -> anyhow::Result<()> {
    install_crypto_provider();
    crate::http::install_panic_hook();
    settings.check_production()?;
    settings.runner.enabled = true;
    let state = prepare(settings).await?;
    tracing::info!("patchbay worker is running flows");
    let background = crate::http::spawn_background(&state);
    let runner = tokio::spawn(crate::runner::worker::run_forever(state.runner.clone()));
    let polls = tokio::spawn(crate::runner::poll::poll_forever(state.runner.clone()));
    shutdown_signal().await;
    runner.abort();
    polls.abort();
    background.abort();
    state.store.close().await;
    Ok(())
}

/// SQLite in the data directory, or PostgreSQL when `database_url` says so; migrated.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    use secrecy::ExposeSecret;
    let url = match &settings.database_url {
        Some(url) => url.expose_secret().to_owned(),
        None => {
            std::fs::create_dir_all(&settings.data_dir)
                .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
            create_private(&settings.data_dir.join("patchbay.db"))?;
            Store::sqlite_url(&settings.data_dir)
        }
    };
    // The URL may hold a password: errors name the backend, never the URL.
    let backend = crate::store::Backend::of_url(&url).map(|b| b.name()).unwrap_or("unknown");
    Store::connect(&url).await.with_context(|| format!("cannot open the {backend} database"))
}

/// The SQLite file holds sealed tokens and hashes: only patchbay's user may read it.
/// SQLite gives its -wal and -shm files the same mode.
#[cfg_attr(not(unix), allow(unused_variables))]
fn create_private(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("cannot create the database file {}", path.display()))?;
        }
    }
    Ok(())
}

/// sqlx brings ring and reqwest brings aws-lc-rs; rustls needs one process default.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
