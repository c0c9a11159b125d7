//! Using a connection: run a catalog action (`POST …/actions/gmail.send_email`), pass a
//! call through to the provider (`…/proxy/gmail/…`), or hand the token to the host's
//! backend. One path for real providers, stubs in tests and the sandbox: only the base
//! URL differs (`target`). Nothing here knows HTTP handlers; `http/api` and the Try page
//! call in.

pub mod config;
mod flows;
pub mod inputs;
pub mod mime;
mod poll;
pub mod proxy;
pub mod request;
mod run;
pub mod send;
mod shapes;
pub mod target;

pub use run::Outcome;

use crate::catalog::{Catalog, Connector};
use crate::config::Settings;
use crate::connections::{Connections, Status, UseError};
use crate::oauth::OAuth;
use crate::store::{ConnectionRow, NewCall, Store, StoreError, now};
use send::Sender;
use std::sync::Arc;
use std::time::Duration;
use target::{Target, TargetError};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("there is no action '{0}'")]
    UnknownAction(String),
    #[error("there is no connector '{0}'")]
    UnknownConnector(String),
    #[error("{0}")]
    NotRunnable(String),
    #[error(transparent)]
    Input(#[from] inputs::InputError),
    #[error("this app has no {0} connection: connect it first")]
    NoConnection(String),
    #[error("{0}")]
    Unusable(String),
    #[error("{message}")]
    MissingPermission { message: String, missing: Vec<String>, url: String },
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("{0}")]
    Lookup(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<UseError> for ActionError {
    fn from(e: UseError) -> Self {
        match e {
            UseError::Store(s) => Self::Store(s),
            other => Self::Unusable(other.to_string()),
        }
    }
}

/// What running actions needs: the OAuth parts (catalog, settings, store, HTTP client)
/// and the connections. Cheap to build per request.
pub struct Runner {
    oauth: OAuth,
    connections: Arc<Connections>,
}

/// A connection ready for calls: its row, its completed configuration and its API.
pub struct Usable<'c> {
    pub connector: &'c Connector,
    pub row: ConnectionRow,
    pub config: serde_json::Map<String, serde_json::Value>,
    pub target: Target,
}

impl Runner {
    pub fn new(oauth: OAuth, connections: Arc<Connections>) -> Self {
        Self { oauth, connections }
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.oauth.catalog
    }

    pub fn settings(&self) -> &Settings {
        &self.oauth.settings
    }

    pub fn store(&self) -> &Store {
        &self.oauth.store
    }

    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    pub fn connector(&self, id: &str) -> Result<&Connector, ActionError> {
        self.catalog().get(id).ok_or_else(|| ActionError::UnknownConnector(id.to_owned()))
    }

    /// The app's shared connection to `connector`.
    pub async fn connection(&self, app_id: i64, connector: &Connector) -> Result<ConnectionRow, ActionError> {
        self.store()
            .shared_connection(app_id, connector.id.as_str())
            .await?
            .ok_or_else(|| ActionError::NoConnection(connector.name.clone()))
    }

    /// The connection with its configuration completed (looked up once, then kept) and
    /// the API its calls go to. A disconnected or revoked connection is refused here.
    pub async fn usable<'c>(&self, connector: &'c Connector, row: ConnectionRow) -> Result<Usable<'c>, ActionError> {
        let status = Status::parse(&row.status);
        if matches!(status, Status::Revoked | Status::Disconnected | Status::NeedsReauthorization)
            || row.sealed_tokens.is_none()
        {
            let reason = row.status_reason.clone().unwrap_or_else(|| "reconnect it on My integrations".into());
            return Err(ActionError::Unusable(format!(
                "{} is {}: {reason}",
                connector.name,
                status.label().to_lowercase()
            )));
        }
        let config = config::complete(self, connector, &row).await?;
        let target = Target::resolve(connector, self.settings(), &config)?;
        Ok(Usable { connector, row, config, target })
    }

    /// How this connection's requests are sent.
    pub fn sender<'a>(
        &'a self,
        connector: &'a Connector,
        row: &ConnectionRow,
        headers: &'a [(String, String)],
    ) -> Sender<'a> {
        let scheme = connector.api.as_ref().map_or("Bearer", |a| a.auth_scheme.as_str());
        let header = connector.api.as_ref().and_then(|a| a.auth_header.as_deref()).unwrap_or("authorization");
        let credential = connector.api.as_ref().and_then(|a| a.credential.as_ref()).map(|auth| {
            let config = row.config().unwrap_or_default();
            let base_path = Target::resolve(connector, self.settings(), &config)
                .ok()
                .and_then(|t| url::Url::parse(&t.base_url()).ok())
                .map(|u| u.path().to_owned())
                .unwrap_or_default();
            let secret_name = connector.auth.secret_credential().map_or("", |c| c.name.as_str());
            send::CredentialCall { auth, config, secret_name, base_path }
        });
        Sender {
            connections: &self.connections,
            http: &self.oauth.http,
            connection_id: row.id,
            name: &connector.name,
            scheme,
            header,
            default_headers: headers,
            timeout: Duration::from_millis(self.settings().actions.timeout_ms),
            credential,
        }
    }

    /// Records one call for "recent use" on My integrations; a failure to record is
    /// logged, never the caller's problem.
    pub async fn record(
        &self,
        row: &ConnectionRow,
        via: &str,
        operation: Option<&str>,
        status: u16,
        error: Option<&str>,
    ) {
        let call = NewCall {
            app_id: row.app_id,
            connection_id: row.id,
            via,
            operation,
            status,
            ok: error.is_none(),
            error,
            at: now(),
        };
        if let Err(e) = self.store().record_call(call).await {
            tracing::warn!(connection = row.id, error = %e, "could not record a call");
        }
    }
}

/// The connector's default headers as pairs.
pub fn default_headers(connector: &Connector) -> Vec<(String, String)> {
    connector.api.iter().flat_map(|a| a.headers.iter()).map(|(k, v)| (k.clone(), v.clone())).collect()
}
