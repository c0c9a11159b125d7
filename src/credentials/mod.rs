//! Connectors that take credentials instead of a sign-in (API keys, bot tokens, workspace
//! credentials): the fields a card asks for, the live test call that must succeed before
//! anything is stored, sealing (the secret like a token, the rest as configuration), and
//! replacing them later, which keeps the old ones when the new ones fail their test.
//! Nothing here knows HTTP handlers; the card's form and My integrations call in.

mod check;
pub mod fields;
pub mod jwt;
pub mod style;

pub use check::CheckError;
pub use fields::{Entered, FieldError, form_name};

use crate::catalog::Connector;
use crate::connections::policy::{Kind, PolicyError};
use crate::connections::{Status, TokenSet};
use crate::oauth::OAuth;
use crate::store::{NewConnection, StoreError, TokenUpdate};
use std::collections::HashMap;

/// How the sealed secret is marked, so that a refusal later says "credentials".
pub const TOKEN_TYPE: &str = "credential";

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0} is connected by signing in, not with credentials")]
    NotTyped(String),
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("The connection changed while the credentials were being saved; try again.")]
    Changed,
    #[error(transparent)]
    Blocked(#[from] crate::connections::policy::Blocked),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A connection made (or its credentials replaced).
pub struct Connected {
    pub connection_id: i64,
    pub account: String,
}

/// Checks what was typed, tries it live, and only then stores it: a new shared
/// connection, or new credentials for the app's existing one (a rotation, or connecting
/// a disconnected one again). On any failure nothing changes.
pub async fn connect(
    oauth: &OAuth,
    app_id: i64,
    user_id: i64,
    connector: &Connector,
    form: &HashMap<String, String>,
) -> Result<Connected, ConnectError> {
    if !connector.auth.kind.typed() {
        return Err(ConnectError::NotTyped(connector.name.clone()));
    }
    // An owner's block stops new credentials before anything is sent to the provider.
    match crate::connections::policy::check(&oauth.store, app_id, connector, Kind::Shared).await {
        Ok(()) => {}
        Err(PolicyError::Blocked(b)) => return Err(b.into()),
        Err(PolicyError::Store(e)) => return Err(e.into()),
    }
    let entered = fields::parse(connector, form)?;
    let account = check::run(&oauth.http, &oauth.settings, connector, &entered).await?;
    let tokens = TokenSet {
        access_token: entered.secret.clone(),
        refresh_token: None,
        token_type: TOKEN_TYPE.into(),
        token_secret: None,
    };
    let sealed = tokens.seal(&oauth.cipher, app_id, connector.id.as_str());
    // A key carries what its provider granted it; patchbay cannot see finer, so the
    // connection holds every permission the catalog lists.
    let scopes: Vec<String> = connector.permissions.iter().map(|p| p.scope.clone()).collect();
    let id = connector.id.as_str();
    let connection_id = match oauth.store.shared_connection(app_id, id).await? {
        None => {
            let row = oauth
                .store
                .insert_connection(NewConnection {
                    app_id,
                    connector: id,
                    kind: "shared",
                    owner_user_id: None,
                    account: Some(&account),
                    status: Status::Connected.as_str(),
                    granted_scopes: &scopes,
                    sealed_tokens: Some(&sealed),
                    expires_at: None,
                    connected_by: user_id,
                })
                .await?;
            row.id
        }
        Some(existing) => {
            let update = TokenUpdate {
                sealed_tokens: Some(&sealed),
                expires_at: None,
                granted_scopes: Some(&scopes),
                account: Some(&account),
                status: Status::Connected.as_str(),
                status_reason: None,
            };
            let mut version = existing.version;
            let mut saved = false;
            for _ in 0..3 {
                if oauth.store.update_tokens(existing.id, version, update.clone()).await? {
                    saved = true;
                    break;
                }
                version = oauth.store.connection(existing.id).await?.map_or(version, |c| c.version);
            }
            if !saved {
                return Err(ConnectError::Changed);
            }
            oauth.store.set_connected_by(existing.id, user_id).await?;
            existing.id
        }
    };
    oauth.store.set_connection_config(connection_id, &entered.config).await?;
    Ok(Connected { connection_id, account })
}

/// What the builder is told when a credential connection is disconnected: patchbay
/// deletes its copy, but a key has no revocation endpoint, so it stays valid at the
/// provider until the builder withdraws it there.
pub fn disconnect_notice(connector: &Connector) -> String {
    let n = &connector.name;
    let how = connector.auth.revoke_help.clone().unwrap_or_else(|| format!("withdraw it in your {n} account settings"));
    format!(
        "{n} is disconnected and patchbay deleted its credentials. Nothing was revoked at {n}: keys have no revocation endpoint, so the key still works there — {how}."
    )
}
