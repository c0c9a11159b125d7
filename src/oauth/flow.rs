//! The authorization-code flow (or OAuth 1.0a's three legs, `oauth1.rs`), begun from a
//! card or from My integrations and completed at `/oauth/callback`. `state` is random,
//! stored only as a hash with what it was for (app, connector, user, scopes, chat turn) and
//! the sealed PKCE verifier (OAuth 1.0a: the sealed temporary credentials); it is single
//! use and expires after 10 minutes. Everything lives in the database, so any server
//! instance can complete a callback. On any failure nothing is stored.

use super::client::{self, Granted};
use super::http::ProviderHttp;
use super::oauth1;
use super::provider::{Provider, ProviderError};
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::connections::policy::{self, Blocked, Kind, PolicyError};
use crate::connections::{Status, TokenCipher};
use crate::digest::{random_token, sha256_hex as hash};
use crate::store::{NewConnection, PendingAuthorization, PendingSwitch, Store, StoreError, TokenUpdate, now};
use std::sync::Arc;

const STATE_TTL_SECS: i64 = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Connect,
    /// New authorization for the same connector (repair, or more scopes).
    Reconnect,
    /// The provider's account chooser, then replace the account, keeping the flows.
    Switch,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Reconnect => "reconnect",
            Self::Switch => "switch",
        }
    }

    fn parse(raw: &str) -> Self {
        match raw {
            "reconnect" => Self::Reconnect,
            "switch" => Self::Switch,
            _ => Self::Connect,
        }
    }
}

pub struct Begin {
    pub app_id: i64,
    pub user_id: i64,
    pub connector: String,
    pub scopes: Vec<String>,
    pub purpose: Purpose,
    pub message_id: Option<i64>,
    /// What the builder typed for a provider on the customer's own host (a Shopify shop);
    /// empty keeps what the connection already has.
    pub typed: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum BeginError {
    #[error("there is no connector '{0}'")]
    UnknownConnector(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Token(#[from] client::TokenError),
    #[error(
        "This app already has a shared {name} connection ({account}). Use Reconnect or Switch account in My integrations."
    )]
    AlreadyConnected { name: String, account: String },
    /// The app's owner has blocked this connector for shared connections.
    #[error(transparent)]
    Blocked(#[from] Blocked),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PolicyError> for BeginError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Blocked(b) => Self::Blocked(b),
            PolicyError::Store(s) => Self::Store(s),
        }
    }
}

/// Where a completed (or failed) authorization belongs.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    pub app_id: i64,
    pub connector: String,
    pub message_id: Option<i64>,
    pub purpose: Purpose,
}

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Connected {
        ctx: Context,
        connection_id: i64,
        account: String,
        missing: Vec<String>,
    },
    /// A reconnect came back with another account: held until the builder confirms.
    AccountDiffers {
        ctx: Context,
        switch_id: String,
        old: String,
        new: String,
    },
    Failed {
        ctx: Context,
        reason: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("This sign-in link is incomplete: it has no state. Start again from the card.")]
    MissingState,
    #[error("This sign-in link is unknown or was already used. Start again from the card.")]
    UnknownState,
    #[error("This connection was started by someone else. Ask them to finish it, or start again from the card.")]
    OtherUser { app_id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CallbackQuery {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// OAuth 1.0a: the temporary token the provider sends back, and its verifier.
    pub oauth_token: Option<String>,
    pub oauth_verifier: Option<String>,
    /// OAuth 1.0a: the person refused (the convention of Twitter and others).
    pub denied: Option<String>,
}

#[derive(Clone)]
pub struct OAuth {
    pub http: ProviderHttp,
    pub settings: Arc<Settings>,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub cipher: Arc<TokenCipher>,
}

fn union(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = a.to_vec();
    for s in b {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

impl OAuth {
    pub fn provider(&self, connector: &str) -> Result<Provider, BeginError> {
        self.provider_for(connector, &serde_json::Map::new())
    }

    /// The provider with a connection's typed values in its endpoints (a Shopify shop).
    pub fn provider_for(
        &self,
        connector: &str,
        typed: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Provider, BeginError> {
        let c = self.catalog.get(connector).ok_or_else(|| BeginError::UnknownConnector(connector.to_owned()))?;
        Ok(Provider::resolve_for(c, &self.settings, typed)?)
    }

    /// Stores the pending authorization and returns the provider URL to send the person to.
    pub async fn begin(&self, mut b: Begin) -> Result<String, BeginError> {
        // Nothing starts at the provider for a connector the app's owner has blocked.
        let connector =
            self.catalog.get(&b.connector).ok_or_else(|| BeginError::UnknownConnector(b.connector.clone()))?;
        policy::check(&self.store, b.app_id, connector, Kind::Shared).await?;
        let existing = self.store.shared_connection(b.app_id, &b.connector).await?;
        if b.typed.is_empty()
            && let (Some(existing), Some(connector)) = (&existing, self.catalog.get(&b.connector))
        {
            // A reconnect keeps what the builder typed before (the same shop).
            let kept = existing.config()?;
            let names: Vec<&str> = connector.typed_values().map(|t| t.name.as_str()).collect();
            b.typed = kept.into_iter().filter(|(k, _)| names.contains(&k.as_str())).collect();
        }
        let provider = self.provider_for(&b.connector, &b.typed)?;
        if let Some(existing) = existing {
            let granted = existing.granted_scopes()?;
            let healthy = Status::parse(&existing.status).is_healthy();
            let complete = b.scopes.iter().all(|s| granted.contains(s));
            if b.purpose == Purpose::Connect && healthy && complete {
                let account = existing.account.unwrap_or_else(|| "an account".into());
                return Err(BeginError::AlreadyConnected { name: provider.name, account });
            }
            if b.purpose == Purpose::Connect {
                b.purpose = Purpose::Reconnect;
            }
            // Ask for the union: a new authorization must not drop what flows already use.
            b.scopes = union(&granted, &b.scopes);
        }
        let state = random_token();
        let state_hash = hash(&state);
        let switch = b.purpose == Purpose::Switch;
        let (url, sealed) = if provider.oauth1.is_some() {
            // OAuth 1.0a: the state rides in the callback, and the temporary secret is
            // kept sealed in the verifier's place.
            let callback = format!("{}?state={state}", self.settings.redirect_uri());
            let temporary = oauth1::request_token(&self.http, &provider, &callback).await?;
            let url = oauth1::authorize_url(&provider, &temporary, &b.scopes, switch)?;
            (url, Some(temporary.seal(&self.cipher, &state_hash)))
        } else {
            let (url, verifier) =
                client::authorize_url(&provider, &self.settings.redirect_uri(), &state, &b.scopes, switch)?;
            (url, verifier.map(|v| self.cipher.seal(v.as_bytes(), &format!("pkce:{state_hash}"))))
        };
        let at = now();
        let pending = PendingAuthorization::new(
            state_hash,
            b.app_id,
            &b.connector,
            b.user_id,
            &b.scopes,
            b.purpose.as_str(),
            b.message_id,
            sealed,
            at,
            at + STATE_TTL_SECS,
        )
        .with_config(&b.typed);
        self.store.insert_pending(&pending).await?;
        Ok(url)
    }

    pub async fn complete(&self, user_id: i64, q: CallbackQuery) -> Result<Outcome, CallbackError> {
        let state = q.state.as_deref().filter(|s| !s.is_empty()).ok_or(CallbackError::MissingState)?;
        let state_hash = hash(state);
        let pending = self.store.take_pending(&state_hash).await?.ok_or(CallbackError::UnknownState)?;
        if pending.user_id != user_id {
            return Err(CallbackError::OtherUser { app_id: pending.app_id });
        }
        let ctx = Context {
            app_id: pending.app_id,
            connector: pending.connector.clone(),
            message_id: pending.message_id,
            purpose: Purpose::parse(&pending.purpose),
        };
        let fail = |reason: String| Ok(Outcome::Failed { ctx: ctx.clone(), reason });
        let typed = pending.config()?;
        let provider = match self.provider_for(&pending.connector, &typed) {
            Ok(p) => p,
            Err(e) => return fail(format!("{e}. Nothing was connected.")),
        };
        let shown = provider.display_name();
        // The owner may have blocked the connector while the person was at the provider.
        if let Some(connector) = self.catalog.get(&pending.connector) {
            match policy::check(&self.store, pending.app_id, connector, Kind::Shared).await {
                Ok(()) => {}
                Err(PolicyError::Blocked(b)) => return fail(format!("{b} Nothing was connected.")),
                Err(PolicyError::Store(e)) => return Err(e.into()),
            }
        }
        if pending.expires_at <= now() {
            return fail(
                "The sign-in took longer than 10 minutes and expired. Nothing was connected; try again.".into(),
            );
        }
        if let Some(reason) = self.refusal(&shown, &pending.connector, &q) {
            return fail(reason);
        }
        let granted = if provider.oauth1.is_some() {
            let temporary = pending
                .sealed_verifier
                .as_deref()
                .and_then(|sealed| oauth1::RequestToken::open(sealed, &self.cipher, &state_hash));
            let (token, verifier) = (q.oauth_token.as_deref(), q.oauth_verifier.as_deref());
            match oauth1::complete(&self.http, &provider, temporary, token, verifier).await {
                Ok(g) => g,
                Err(reason) => return fail(reason),
            }
        } else {
            match self.exchange(&provider, &q, pending.sealed_verifier.as_deref(), &state_hash).await {
                Ok(g) => g,
                Err(reason) => return fail(reason),
            }
        };
        let asked = pending.scopes()?;
        let account = client::account_of(&self.http, &provider, &granted.tokens, &granted.raw)
            .await
            .unwrap_or_else(|| format!("your {} account", provider.name));
        let outcome = self.store_connection(ctx, user_id, &asked, granted, account).await?;
        if let Outcome::Connected { connection_id, .. } = &outcome {
            // A new grant starts a new configuration: what was looked up for the old one
            // (another site, another data centre) is looked up again on first use.
            self.store.set_connection_config(*connection_id, &typed).await?;
        }
        Ok(outcome)
    }

    /// Why the provider sent the person back without a grant, in words: `None` when it
    /// did not say no.
    pub(super) fn refusal(&self, shown: &str, connector: &str, q: &CallbackQuery) -> Option<String> {
        // OAuth 1.0a providers that say no send `denied` (there is no standard error).
        let error = q.error.as_deref().or(q.denied.as_ref().map(|_| "access_denied"))?;
        Some(match error {
            "access_denied" => format!("You cancelled at {shown}. Nothing was connected."),
            other => {
                let why = q.error_description.clone().unwrap_or_else(|| other.replace('_', " "));
                // A personal account at a work-or-school-only sign-in: say that plainly.
                let accounts = self.catalog.get(connector).and_then(|c| c.auth.accounts.note());
                let note = accounts.map(|n| format!(" {n}")).unwrap_or_default();
                format!("{shown} refused the connection: {why}.{note} Nothing was connected.")
            }
        })
    }

    /// The authorization code exchanged for tokens, with the PKCE verifier sealed under
    /// `state_hash`; the reason in words when it cannot be.
    pub(super) async fn exchange(
        &self,
        provider: &Provider,
        q: &CallbackQuery,
        sealed_verifier: Option<&[u8]>,
        state_hash: &str,
    ) -> Result<Granted, String> {
        let shown = provider.display_name();
        let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
            return Err(format!("{shown} sent no authorization code. Nothing was connected; try again."));
        };
        let verifier = match sealed_verifier.map(|sealed| self.cipher.open(sealed, &format!("pkce:{state_hash}"))) {
            Some(Ok(v)) => Some(String::from_utf8_lossy(&v).into_owned()),
            Some(Err(_)) => return Err("The sign-in could not be verified. Nothing was connected; try again.".into()),
            None => None,
        };
        let redirect_uri = self.settings.redirect_uri();
        client::exchange_code(&self.http, provider, &redirect_uri, code, verifier)
            .await
            .map_err(|e| format!("{e}. Nothing was connected."))
    }

    async fn store_connection(
        &self,
        ctx: Context,
        user_id: i64,
        asked: &[String],
        g: Granted,
        account: String,
    ) -> Result<Outcome, CallbackError> {
        // Providers that return no scope list granted what was asked.
        let scopes = g.scopes.clone().unwrap_or_else(|| asked.to_vec());
        let missing: Vec<String> = asked.iter().filter(|s| !scopes.contains(s)).cloned().collect();
        let sealed = g.tokens.seal(&self.cipher, ctx.app_id, &ctx.connector);
        let expires_at = g.expires_in.map(|s| now() + s as i64);
        let existing = match self.store.shared_connection(ctx.app_id, &ctx.connector).await? {
            Some(existing) => existing,
            None => {
                let row = self
                    .store
                    .insert_connection(NewConnection {
                        app_id: ctx.app_id,
                        connector: &ctx.connector,
                        kind: "shared",
                        owner_user_id: None,
                        account: Some(&account),
                        status: Status::Connected.as_str(),
                        granted_scopes: &scopes,
                        sealed_tokens: Some(&sealed),
                        expires_at,
                        connected_by: user_id,
                    })
                    .await;
                match row {
                    Ok(row) => return Ok(Outcome::Connected { ctx, connection_id: row.id, account, missing }),
                    // Another sign-in for the same tool finished a moment earlier (two
                    // editors, or two tabs): this grant goes to that connection, as a
                    // reconnect would, instead of being thrown away.
                    Err(StoreError::Conflict(msg)) => {
                        match self.store.shared_connection(ctx.app_id, &ctx.connector).await? {
                            Some(existing) => existing,
                            None => return Ok(Outcome::Failed { ctx, reason: msg }),
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let old = existing.account.clone().unwrap_or_default();
        if ctx.purpose != Purpose::Switch && !old.is_empty() && !old.eq_ignore_ascii_case(&account) {
            let switch_id = random_token();
            let hold = PendingSwitch::new(
                switch_id.clone(),
                existing.id,
                user_id,
                &account,
                &scopes,
                sealed,
                expires_at,
                now() + STATE_TTL_SECS,
            );
            self.store.insert_pending_switch(&hold).await?;
            return Ok(Outcome::AccountDiffers { ctx, switch_id, old, new: account });
        }
        let update = TokenUpdate {
            sealed_tokens: Some(&sealed),
            expires_at,
            granted_scopes: Some(&scopes),
            account: Some(&account),
            status: Status::Connected.as_str(),
            status_reason: None,
        };
        let mut version = existing.version;
        // A refresh, or another sign-in, may land between read and write; the newest
        // authorization wins. Each round one of the writers gets through.
        for _ in 0..8 {
            if self.store.update_tokens(existing.id, version, update.clone()).await? {
                self.store.set_connected_by(existing.id, user_id).await?;
                return Ok(Outcome::Connected { ctx, connection_id: existing.id, account, missing });
            }
            version = self.store.connection(existing.id).await?.map_or(version, |c| c.version);
        }
        Ok(Outcome::Failed { ctx, reason: "The connection changed while it was being saved; try again.".into() })
    }
}
