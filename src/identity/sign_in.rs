//! Signing in with an email and a password. An unknown email and a wrong password get
//! the same answer after the same work; failures count towards the limits first.

use super::throttle::{self, Limits};
use super::{Email, IdentityError, IdentityResult, password};
use crate::store::{Store, UserRow, now};

pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address, for the per-address limit.
    pub address: &'a str,
}

pub async fn with_password(store: &Store, limits: Limits, attempt: Attempt<'_>) -> IdentityResult<UserRow> {
    // A malformed email still counts and still costs a hash: it must not answer faster.
    let email =
        Email::parse(attempt.email).map(|e| e.to_string()).unwrap_or_else(|_| attempt.email.trim().to_lowercase());
    let at = now();
    throttle::check(store, limits, &email, attempt.address, at).await?;
    let found = store.credentials(&email).await?;
    let stored = found.as_ref().and_then(|c| c.password_hash.clone());
    let ok = verify(attempt.password, stored).await?;
    match found {
        Some(c) if ok => {
            throttle::succeeded(store, &email).await?;
            Ok(c.user)
        }
        _ => {
            throttle::failed(store, &email, attempt.address, at).await?;
            Err(IdentityError::WrongCredentials)
        }
    }
}

/// Changes a password after checking the current one (someone who signs in only through
/// single sign-on has none yet and sets a first one). The caller ends the other sessions.
pub async fn change_password(store: &Store, user_id: i64, current: &str, new: &str) -> IdentityResult<()> {
    let new = password::Password::new(new)?;
    let stored = store.password_hash(user_id).await?;
    if stored.is_some() && !verify(current, stored).await? {
        return Err(IdentityError::Invalid("The current password is not right.".into()));
    }
    store.set_password_hash(user_id, &hash(new).await?).await?;
    Ok(())
}

/// Hashing costs tens of milliseconds of CPU: it runs off the async threads.
pub async fn hash(password: password::Password) -> IdentityResult<String> {
    off_thread(move || password.hash()).await?
}

async fn verify(attempt: &str, stored: Option<String>) -> IdentityResult<bool> {
    let attempt = attempt.to_owned();
    off_thread(move || password::verify(&attempt, stored.as_deref())).await
}

async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> IdentityResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| IdentityError::Hashing(e.to_string()))
}
