//! Single sign-on with any OpenID Connect provider, found by discovery
//! (`auth.oidc.issuer`). The authorization code flow with PKCE; `state`, nonce and the
//! PKCE verifier wait in the database (any server can finish what another began) and are
//! taken once. The `openidconnect` crate validates the ID token: its signature against
//! the provider's published keys, issuer, audience, expiry and nonce. Only an email the
//! provider says is verified signs anyone in.

use crate::config::OidcSettings;
use crate::connections::TokenCipher;
use crate::digest::sha256_hex;
use crate::oauth::http::{PlainHttp, ProviderHttp};
use crate::store::{SignInRequest, Store, StoreError, now};
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use secrecy::ExposeSecret;

/// A sign-in round trip may take this long (a person typing a password at the provider).
const REQUEST_TTL_SECS: i64 = 600;

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("single sign-on is not set up on this server")]
    NotConfigured,
    #[error("the sign-in provider could not be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("this sign-in link has expired or was already used; start again")]
    UnknownState,
    #[error("the sign-in provider refused: {0}")]
    Denied(String),
    /// The ID token failed a check (signature, issuer, audience, expiry, nonce).
    #[error("the sign-in answer could not be trusted: {0}")]
    Untrusted(String),
    #[error("the provider has not verified this account's email address")]
    EmailNotVerified,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who the provider says signed in.
#[derive(Clone, Debug)]
pub struct Identity {
    /// "issuer subject": stable even when the email changes.
    pub subject: String,
    pub email: String,
    pub name: Option<String>,
}

/// What the callback hands back: the identity and what the request was for.
pub struct Completed {
    pub identity: Identity,
    pub next: String,
    pub invitation: Option<String>,
}

pub struct Sso<'a> {
    pub settings: &'a OidcSettings,
    pub http: &'a ProviderHttp,
    pub store: &'a Store,
    pub cipher: &'a TokenCipher,
    /// `public_url` + `/login/sso/callback`.
    pub redirect_uri: String,
}

impl Sso<'_> {
    async fn client(&self) -> Result<Client, SsoError> {
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| SsoError::Provider(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &PlainHttp(self.http))
            .await
            .map_err(|e| SsoError::Provider(error_chain(&e)))?;
        let redirect = RedirectUrl::new(self.redirect_uri.clone()).map_err(|e| SsoError::Provider(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.expose_secret().to_owned())),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider URL to send the browser to; `invitation` is the hash of an invitation
    /// the person is accepting by signing in.
    pub async fn begin(&self, next: &str, invitation: Option<String>) -> Result<String, SsoError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let state_hash = sha256_hex(state.secret());
        let at = now();
        self.store
            .insert_sign_in_request(&SignInRequest {
                sealed_verifier: self.cipher.seal(verifier.secret().as_bytes(), &context(&state_hash)),
                state_hash,
                nonce: nonce.secret().clone(),
                next: next.to_owned(),
                invitation,
                created_at: at,
                expires_at: at + REQUEST_TTL_SECS,
            })
            .await?;
        Ok(url.to_string())
    }

    /// Finishes the round trip the provider sent back (`code` and `state`, or `error`).
    pub async fn complete(&self, code: Option<&str>, state: &str, error: Option<&str>) -> Result<Completed, SsoError> {
        let state_hash = sha256_hex(state);
        let request = self.store.take_sign_in_request(&state_hash, now()).await?.ok_or(SsoError::UnknownState)?;
        if let Some(error) = error {
            return Err(SsoError::Denied(error.to_owned()));
        }
        let code = code.ok_or_else(|| SsoError::Denied("no authorization code".into()))?;
        let verifier = self
            .cipher
            .open(&request.sealed_verifier, &context(&state_hash))
            .map_err(|_| SsoError::UnknownState)
            .and_then(|v| String::from_utf8(v).map_err(|_| SsoError::UnknownState))?;
        let client = self.client().await?;
        let http = PlainHttp(self.http);
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&http)
            .await
            .map_err(|e| SsoError::Provider(error_chain(&e)))?;
        let id_token = answer.id_token().ok_or_else(|| SsoError::Untrusted("no ID token in the answer".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(request.nonce.clone()))
            .map_err(|e| SsoError::Untrusted(error_chain(&e)))?;
        if claims.email_verified() != Some(true) {
            return Err(SsoError::EmailNotVerified);
        }
        let email = claims.email().ok_or(SsoError::EmailNotVerified)?.as_str().to_owned();
        let identity = Identity {
            subject: format!("{} {}", claims.issuer().as_str(), claims.subject().as_str()),
            email,
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_owned()),
        };
        Ok(Completed { identity, next: request.next, invitation: request.invitation })
    }
}

fn context(state_hash: &str) -> String {
    format!("sign-in:{state_hash}")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The patchbay account a single sign-on identity signs in as: the one linked to it, else
/// the one with its (verified) email, which is then linked. Someone without an account
/// gets one only through an invitation to that same email.
pub async fn account_for(
    store: &Store,
    identity: &Identity,
    invitation: Option<&str>,
) -> Result<crate::store::UserRow, super::IdentityError> {
    use super::{IdentityError, invitations, setup};
    let email = super::Email::parse(&identity.email)?;
    let user = match store.user_by_sso_subject(&identity.subject).await? {
        Some(u) => Some(u),
        None => match store.user_by_email(email.as_str()).await? {
            Some(u) => {
                store.link_sso_subject(u.id, &identity.subject).await?;
                Some(u)
            }
            None => None,
        },
    };
    let user = match (user, invitation) {
        (Some(u), _) => u,
        (None, Some(token_hash)) => {
            let invited = store.open_invitation(token_hash, now()).await?.ok_or(IdentityError::LinkUsed)?;
            if !invited.email.eq_ignore_ascii_case(email.as_str()) {
                return Err(IdentityError::Invalid(format!(
                    "This invitation is for {}, but you signed in as {}.",
                    invited.email, email
                )));
            }
            let name = setup::person_name(identity.name.as_deref().unwrap_or(email.as_str()))
                .unwrap_or_else(|_| email.to_string());
            let user = store.create_user(email.as_str(), &name).await?;
            store.link_sso_subject(user.id, &identity.subject).await?;
            user
        }
        (None, None) => {
            return Err(IdentityError::Invalid(format!(
                "No patchbay account uses {email}. Ask an owner of an app to invite you."
            )));
        }
    };
    if let Some(token_hash) = invitation {
        invitations::accept(store, token_hash, &user).await?;
    }
    Ok(user)
}
