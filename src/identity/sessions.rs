//! Sign-in sessions. The browser holds a random token; the database holds only its
//! SHA-256, so a copy of the database signs nobody in. Every sign-in makes a new token
//! (an old one from before is ended), sessions expire, and a person can end them all.

use crate::digest::{random_token, sha256_hex};
use crate::store::{SessionMember, Store, StoreResult, UserRow, now};

/// A session just made: the token goes into the cookie, and nowhere else.
pub struct NewSession {
    pub token: String,
    pub expires_at: i64,
}

pub async fn start(store: &Store, user_id: i64, ttl_secs: i64, replacing: Option<&str>) -> StoreResult<NewSession> {
    if let Some(old) = replacing {
        store.delete_session(&sha256_hex(old)).await?;
    }
    let token = random_token();
    let expires_at = now() + ttl_secs;
    store.create_session(&sha256_hex(&token), user_id, expires_at).await?;
    Ok(NewSession { token, expires_at })
}

pub async fn user(store: &Store, token: &str) -> StoreResult<Option<UserRow>> {
    store.session_user(&sha256_hex(token), now()).await
}

/// The person a session token signs in, with the app and their role in it (see
/// `Store::session_member`).
pub async fn member(store: &Store, token: &str, app_id: i64) -> StoreResult<Option<SessionMember>> {
    store.session_member(&sha256_hex(token), now(), app_id).await
}

pub async fn end(store: &Store, token: &str) -> StoreResult<()> {
    store.delete_session(&sha256_hex(token)).await
}

/// Ends every session of the person, or every one but the session `keep` belongs to.
pub async fn end_all(store: &Store, user_id: i64, keep: Option<&str>) -> StoreResult<u64> {
    store.end_sessions(user_id, keep.map(sha256_hex).as_deref()).await
}
