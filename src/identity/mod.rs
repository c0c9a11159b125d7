//! Who is who: people with passwords or single sign-on, their sessions, the first owner,
//! invitations to apps, and the keys the host's backend uses. Nothing here knows HTTP:
//! `http/auth` parses forms and calls these steps.

pub mod email;
pub mod invitations;
pub mod keys;
pub mod password;
pub mod sessions;
pub mod setup;
pub mod sign_in;
pub mod sso;
pub mod throttle;

pub use email::Email;
pub use password::Password;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// What a person typed is not acceptable; the message says why.
    #[error("{0}")]
    Invalid(String),
    /// The same words for an unknown email and a wrong password.
    #[error("That email and password do not match an account.")]
    WrongCredentials,
    #[error("Too many attempts. Try again in {} minute(s).", (retry_after_secs + 59) / 60)]
    Throttled { retry_after_secs: i64 },
    #[error("This link has expired or was already used. Ask for a new one.")]
    LinkUsed,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

pub type IdentityResult<T> = Result<T, IdentityError>;
