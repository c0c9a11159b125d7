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
use crate::connections::policy::{self, Kind, PolicyError};
use crate::connections::{Connections, Status, UseError};
use crate::oauth::OAuth;
use crate::store::{ConnectionRow, NewCall, Store, StoreError, now};
use send::Sender;
use std::borrow::Cow;
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
    #[error("this app user has not connected their {0} account yet: create a connect session for them")]
    PersonNotConnected(String),
    #[error("{0} is an app user connector: say whose account to use with as_user")]
    NeedsPerson(String),
    #[error("{0} is not set up for app users: leave as_user out to use the app's shared connection")]
    NotForPeople(String),
    #[error("{0}")]
    Unusable(String),
    /// The app's owner has blocked this connector for this kind of connection.
    #[error(transparent)]
    Blocked(#[from] crate::connections::policy::Blocked),
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

    /// A catalog connector, or one of the app's custom APIs (imported from an OpenAPI
    /// document), made into a connector so that the same runner serves both.
    pub async fn app_connector(&self, app_id: i64, id: &str) -> Result<Cow<'_, Connector>, ActionError> {
        if let Some(c) = self.catalog().get(id) {
            return Ok(Cow::Borrowed(c));
        }
        match crate::custom::connector(self.store(), app_id, id).await? {
            Some(c) => Ok(Cow::Owned(c)),
            None => Err(ActionError::UnknownConnector(id.to_owned())),
        }
    }

    /// The app's shared connection to `connector`.
    pub async fn connection(&self, app_id: i64, connector: &Connector) -> Result<ConnectionRow, ActionError> {
        self.connection_as(app_id, connector, None).await
    }

    /// The connection calls use: the app's shared one, or with `as_user` that app user's
    /// own, never another person's.
    pub async fn connection_as(
        &self,
        app_id: i64,
        connector: &Connector,
        as_user: Option<&str>,
    ) -> Result<ConnectionRow, ActionError> {
        let (id, name) = (connector.id.as_str(), connector.name.clone());
        let for_people = || async { self.store().app_user_connector(app_id, id).await.map(|c| c.is_some()) };
        match as_user {
            Some(person) => {
                if !for_people().await? {
                    return Err(ActionError::NotForPeople(name));
                }
                let row = self.store().app_user_connection(app_id, id, person).await?;
                row.ok_or(ActionError::PersonNotConnected(name))
            }
            None => match self.store().shared_connection(app_id, id).await? {
                Some(row) => Ok(row),
                None if for_people().await? => Err(ActionError::NeedsPerson(name)),
                None => Err(ActionError::NoConnection(name)),
            },
        }
    }

    /// The connection with its configuration completed (looked up once, then kept) and
    /// the API its calls go to. A disconnected or revoked connection is refused here, and
    /// so is one of a connector the app's owner has blocked.
    pub async fn usable<'c>(&self, connector: &'c Connector, row: ConnectionRow) -> Result<Usable<'c>, ActionError> {
        let kind = Kind::parse(&row.kind).unwrap_or(Kind::Shared);
        match policy::check(self.store(), row.app_id, connector, kind).await {
            Ok(()) => {}
            Err(PolicyError::Blocked(blocked)) => return Err(blocked.into()),
            Err(PolicyError::Store(e)) => return Err(e.into()),
        }
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
            // A custom API's host was typed by an editor: its names resolve to public
            // addresses only.
            http: connector
                .id
                .is_custom()
                .then(|| crate::custom::host::http(crate::custom::allows_local(self.settings())))
                .flatten()
                .unwrap_or(&self.oauth.http),
            connection_id: row.id,
            name: &connector.name,
            scheme,
            header,
            signer: (connector.auth.kind == crate::catalog::AuthKind::Oauth1)
                .then(|| self.oauth.provider(connector.id.as_str()).ok())
                .flatten(),
            query: connector.api.as_ref().and_then(|a| a.auth_query.as_deref()),
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
