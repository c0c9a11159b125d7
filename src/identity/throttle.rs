//! Limits on failed sign-ins, per account and per client address, counted in the
//! database: every server sharing it sees the same count, so adding servers does not
//! multiply an attacker's guesses.

use super::{IdentityError, IdentityResult};
use crate::store::Store;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_account: i64,
    pub per_address: i64,
    pub window_secs: i64,
}

fn subjects(email: &str, address: &str) -> [String; 2] {
    [format!("email:{email}"), format!("addr:{address}")]
}

/// Refuses before any password is checked when either count is used up.
pub async fn check(store: &Store, limits: Limits, email: &str, address: &str, at: i64) -> IdentityResult<()> {
    let [account, addr] = subjects(email, address);
    for (subject, max) in [(account, limits.per_account), (addr, limits.per_address)] {
        let (count, oldest) = store.sign_in_failures(&subject, at - limits.window_secs).await?;
        if count >= max {
            let retry_after_secs = oldest.map_or(limits.window_secs, |o| o + limits.window_secs - at).max(1);
            return Err(IdentityError::Throttled { retry_after_secs });
        }
    }
    Ok(())
}

pub async fn failed(store: &Store, email: &str, address: &str, at: i64) -> IdentityResult<()> {
    let [account, addr] = subjects(email, address);
    store.record_sign_in_failure(&[&account, &addr], at).await?;
    Ok(())
}

/// A successful sign-in clears the account's count (not the address's: one right
/// password must not reset guesses at other accounts).
pub async fn succeeded(store: &Store, email: &str) -> IdentityResult<()> {
    store.clear_sign_in_failures(&format!("email:{email}")).await?;
    Ok(())
}
