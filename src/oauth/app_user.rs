//! App users connecting their own accounts. The host's backend asks for a connect session
//! (a single-use link that expires in 15 minutes); the person opens it, sees which app
//! asks for what, and continues to the provider. The session is used at that moment, and
//! binds the browser with a cookie: the provider's callback must return to the same
//! browser within 10 minutes, and its state is taken once.

use super::client;
use super::flow::{BeginError, CallbackQuery, OAuth};
use super::provider::Provider;
use crate::catalog::AuthKind;
use crate::connections::TokenSet;
use crate::connections::policy::{self, Blocked, Kind, PolicyError};
use crate::digest::{random_token, sha256_hex as hash};
use crate::store::{AppUserConnectorRow, AppUserGrant, ConnectSessionRow, ConnectionRow, SessionUse, StoreError, now};
use secrecy::SecretString;

/// How long the link the host hands out stays usable.
pub const SESSION_TTL_SECS: i64 = 15 * 60;
/// How long the person may take at the provider once they continued.
const AT_PROVIDER_SECS: i64 = 10 * 60;
/// The cookie that ties the provider's callback to the browser that used the link.
pub const BROWSER_COOKIE: &str = "pb_connect";

#[derive(Debug, thiserror::Error)]
pub enum AppUserError {
    #[error("This link is not valid. Go back to the app and start connecting again.")]
    UnknownLink,
    #[error("This link has expired or was already used. Go back to the app and start connecting again.")]
    Spent { session: Box<ConnectSessionRow> },
    #[error("{name} is not set up for the app's users: an editor sets it up on My integrations first")]
    NotSetUp { name: String },
    #[error("there is no connector '{0}'")]
    UnknownConnector(String),
    #[error("{name} connects with keys, not OAuth: each app user cannot connect their own account to it")]
    NotOAuth { name: String },
    #[error("{name} has no permission '{scope}'")]
    UnknownScope { name: String, scope: String },
    #[error("The reference of the app user must be 1 to 200 characters, without control characters")]
    BadUserRef,
    #[error("return_url must be an https address (or http on this machine)")]
    BadReturnUrl,
    #[error("This sign-in did not start in this browser. Go back to the app and start connecting again.")]
    OtherBrowser,
    #[error(transparent)]
    Blocked(#[from] Blocked),
    #[error(transparent)]
    Begin(#[from] BeginError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a new connect session gives the host.
pub struct NewSession {
    pub url: String,
    pub expires_at: i64,
}

/// Where the person's sign-in ended, for the page that tells them and sends them back.
pub struct Finished {
    pub session: ConnectSessionRow,
    /// The account connected, or why nothing was.
    pub result: Result<String, String>,
}

/// A host reference is the host's own id for the person: kept as given, but bounded.
pub fn valid_user_ref(raw: &str) -> bool {
    !raw.trim().is_empty() && raw.len() <= 200 && !raw.chars().any(char::is_control)
}

fn valid_return_url(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| {
        u.scheme() == "https"
            || (u.scheme() == "http" && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
    })
}

impl From<PolicyError> for AppUserError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Blocked(b) => Self::Blocked(b),
            PolicyError::Store(s) => Self::Store(s),
        }
    }
}

impl OAuth {
    /// The provider an app user connects to: with the app's own OAuth client when the
    /// editor gave one, else the server's (or the sandbox's, in development).
    pub async fn app_user_provider(&self, app_id: i64, connector: &str) -> Result<Provider, AppUserError> {
        let c = self.catalog.get(connector).ok_or_else(|| AppUserError::UnknownConnector(connector.to_owned()))?;
        policy::check(&self.store, app_id, c, Kind::AppUser).await?;
        let set_up = self
            .store
            .app_user_connector(app_id, connector)
            .await?
            .ok_or_else(|| AppUserError::NotSetUp { name: c.name.clone() })?;
        let own = match (&set_up.client_id, &set_up.sealed_client_secret) {
            (Some(id), Some(sealed)) => {
                let secret = self.cipher.open(sealed, &client_secret_context(app_id, connector)).map_err(|_| {
                    BeginError::Token(client::TokenError::Config(
                        c.name.clone(),
                        "the app's client secret cannot be decrypted with this server's key".into(),
                    ))
                })?;
                Some((id.clone(), SecretString::from(String::from_utf8_lossy(&secret).into_owned())))
            }
            _ => None,
        };
        let p = Provider::resolve_with(c, &self.settings, &serde_json::Map::new(), own).map_err(BeginError::from)?;
        Ok(p)
    }

    /// The provider a stored connection refreshes and revokes with.
    pub async fn provider_of(&self, row: &ConnectionRow) -> Result<Provider, AppUserError> {
        match row.user_ref {
            Some(_) => self.app_user_provider(row.app_id, &row.connector).await,
            None => Ok(self.provider_for(&row.connector, &row.config()?)?),
        }
    }

    /// A single-use link for `user_ref` to connect their own `connector` account.
    pub async fn new_connect_session(
        &self,
        app_id: i64,
        user_ref: &str,
        connector: &str,
        return_url: Option<&str>,
    ) -> Result<NewSession, AppUserError> {
        if !valid_user_ref(user_ref) {
            return Err(AppUserError::BadUserRef);
        }
        if return_url.is_some_and(|u| !valid_return_url(u)) {
            return Err(AppUserError::BadReturnUrl);
        }
        // Refuse now, not when the person arrives: the connector must be set up.
        self.app_user_provider(app_id, connector).await?;
        let token = random_token();
        let expires_at = now() + SESSION_TTL_SECS;
        self.store.insert_connect_session(&hash(&token), app_id, user_ref, connector, return_url, expires_at).await?;
        Ok(NewSession { url: format!("{}/connect/{token}", self.settings.public_url()), expires_at })
    }

    /// The session behind a link, while it can still be used.
    pub async fn open_connect_session(&self, token: &str) -> Result<ConnectSessionRow, AppUserError> {
        let session = self.store.connect_session(&hash(token)).await?.ok_or(AppUserError::UnknownLink)?;
        if session.used_at.is_some() || session.expires_at <= now() {
            return Err(AppUserError::Spent { session: Box::new(session) });
        }
        Ok(session)
    }

    /// The person pressed Continue: the link is used up, and the answer is the provider's
    /// URL and the browser cookie's value.
    pub async fn begin_app_user(&self, token: &str) -> Result<(String, String), AppUserError> {
        let session = self.open_connect_session(token).await?;
        let set_up = self.store.app_user_connector(session.app_id, &session.connector).await?;
        let scopes = match set_up {
            Some(s) => s.scopes()?,
            None => return Err(AppUserError::NotSetUp { name: session.connector.clone() }),
        };
        let provider = self.app_user_provider(session.app_id, &session.connector).await?;
        let state = random_token();
        let state_hash = hash(&state);
        let (url, verifier) = client::authorize_url(&provider, &self.settings.redirect_uri(), &state, &scopes, false)
            .map_err(BeginError::from)?;
        let sealed = verifier.map(|v| self.cipher.seal(v.as_bytes(), &format!("pkce:{state_hash}")));
        let browser = random_token();
        let used = SessionUse {
            browser_hash: &hash(&browser),
            state_hash: &state_hash,
            sealed_verifier: sealed.as_deref(),
            scopes: &scopes,
        };
        if !self.store.use_connect_session(&hash(token), used).await? {
            return Err(AppUserError::Spent { session: Box::new(session) });
        }
        Ok((url, browser))
    }

    /// True when a callback's state belongs to an app user's sign-in.
    pub async fn is_app_user_state(&self, state: &str) -> Result<bool, StoreError> {
        self.store.is_connect_session_state(&hash(state)).await
    }

    /// The provider sent the person back: exchange, look up the account, store the tokens
    /// as that person's connection. Nothing is stored on any failure.
    pub async fn complete_app_user(&self, q: CallbackQuery, browser: Option<&str>) -> Result<Finished, AppUserError> {
        let state = q.state.as_deref().unwrap_or_default();
        let state_hash = hash(state);
        let session = self.store.take_connect_session_by_state(&state_hash).await?.ok_or(AppUserError::UnknownLink)?;
        if browser.map(hash) != session.browser_hash {
            return Err(AppUserError::OtherBrowser);
        }
        let result = self.exchange_for(&session, &state_hash, &q).await?;
        Ok(Finished { session, result })
    }

    async fn exchange_for(
        &self,
        session: &ConnectSessionRow,
        state_hash: &str,
        q: &CallbackQuery,
    ) -> Result<Result<String, String>, AppUserError> {
        // Blocked while the person was at the provider: nothing is stored.
        let provider = match self.app_user_provider(session.app_id, &session.connector).await {
            Ok(p) => p,
            Err(AppUserError::Blocked(b)) => return Ok(Err(format!("{b} Nothing was connected."))),
            Err(e) => return Err(e),
        };
        let shown = provider.display_name();
        if session.used_at.is_none_or(|used| used + AT_PROVIDER_SECS <= now()) {
            return Ok(Err("The sign-in took too long and expired. Nothing was connected; try again.".into()));
        }
        if let Some(reason) = self.refusal(&shown, &session.connector, q) {
            return Ok(Err(reason));
        }
        let granted = match self.exchange(&provider, q, session.sealed_verifier.as_deref(), state_hash).await {
            Ok(g) => g,
            Err(reason) => return Ok(Err(reason)),
        };
        let account = client::account_of(&self.http, &provider, &granted.tokens, &granted.raw)
            .await
            .unwrap_or_else(|| format!("your {} account", provider.name));
        let asked = session.scopes()?;
        let scopes = granted.scopes.clone().unwrap_or(asked);
        let sealed = seal(self, session, &granted.tokens);
        let grant = AppUserGrant {
            app_id: session.app_id,
            connector: &session.connector,
            user_ref: &session.user_ref,
            account: &account,
            granted_scopes: &scopes,
            sealed_tokens: &sealed,
            expires_at: granted.expires_in.map(|s| now() + s as i64),
        };
        self.store.put_app_user_connection(grant).await?;
        Ok(Ok(account))
    }

    /// Sets `connector` up for app users (again): the scopes each person grants (by
    /// default what its first action needs) and the app's own OAuth client, if given.
    pub async fn set_up_app_user_connector(&self, s: SetUp<'_>) -> Result<AppUserConnectorRow, AppUserError> {
        let c = self.catalog.get(s.connector).ok_or_else(|| AppUserError::UnknownConnector(s.connector.to_owned()))?;
        if c.auth.kind != AuthKind::Oauth2 {
            return Err(AppUserError::NotOAuth { name: c.name.clone() });
        }
        policy::check(&self.store, s.app_id, c, Kind::AppUser).await?;
        let scopes = match s.scopes {
            Some(asked) => {
                if let Some(unknown) = asked.iter().find(|scope| c.permission(scope).is_none()) {
                    return Err(AppUserError::UnknownScope { name: c.name.clone(), scope: unknown.clone() });
                }
                let mut scopes = c.auth.base_scopes.clone();
                scopes.extend(asked.iter().filter(|x| !c.auth.base_scopes.contains(x)).cloned());
                scopes
            }
            None => crate::card::required_scopes(c, None),
        };
        let sealed = s.client.map(|(id, secret)| {
            (id, self.cipher.seal(secret.as_bytes(), &client_secret_context(s.app_id, s.connector)))
        });
        let client = sealed.as_ref().map(|(id, secret)| (*id, secret.as_slice()));
        Ok(self.store.put_app_user_connector(s.app_id, s.connector, &scopes, client, s.by).await?)
    }
}

/// What an editor (or the host's backend) sets up.
pub struct SetUp<'a> {
    pub app_id: i64,
    pub connector: &'a str,
    pub scopes: Option<&'a [String]>,
    /// The app's own OAuth client id and secret.
    pub client: Option<(&'a str, &'a str)>,
    pub by: Option<i64>,
}

fn seal(oauth: &OAuth, session: &ConnectSessionRow, tokens: &TokenSet) -> Vec<u8> {
    tokens.seal_for(&oauth.cipher, session.app_id, &session.connector, Some(&session.user_ref))
}

fn client_secret_context(app_id: i64, connector: &str) -> String {
    format!("patchbay:app-client:v1:app:{app_id}:{connector}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_reference_is_bounded_and_has_no_control_characters() {
        assert!(valid_user_ref("user_42"));
        assert!(valid_user_ref("ada@example.com"));
        assert!(!valid_user_ref("  "));
        assert!(!valid_user_ref("a\u{0}b"));
        assert!(!valid_user_ref(&"x".repeat(201)));
    }

    #[test]
    fn the_person_returns_only_to_https_or_this_machine() {
        assert!(valid_return_url("https://app.example.com/settings"));
        assert!(valid_return_url("http://localhost:3000/back"));
        assert!(!valid_return_url("http://app.example.com/"));
        assert!(!valid_return_url("javascript:alert(1)"));
    }
}
