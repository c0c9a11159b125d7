//! App keys for the host's backend: `pbk_` and 64 hex characters (256 random bits), so
//! secret scanners can recognise a leaked one. Shown once; only the SHA-256 is kept.

use crate::digest::{random_token, sha256_hex};
use crate::store::{AppKeyRow, Store, StoreResult, now};

pub const PREFIX: &str = "pbk_";

/// A key just made: `secret` is shown once and then forgotten.
pub struct NewKey {
    pub row: AppKeyRow,
    pub secret: String,
}

pub async fn create(store: &Store, app_id: i64, name: &str, created_by: Option<i64>) -> StoreResult<NewKey> {
    let secret = format!("{PREFIX}{}", random_token());
    let hint = format!("…{}", &secret[secret.len() - 4..]);
    let row = store.create_app_key(app_id, name, &sha256_hex(&secret), &hint, created_by).await?;
    Ok(NewKey { row, secret })
}

/// The key a presented secret belongs to, when it is well-formed and not revoked.
/// Malformed values never reach the database.
pub async fn authenticate(store: &Store, presented: &str) -> StoreResult<Option<AppKeyRow>> {
    if !looks_like_key(presented) {
        return Ok(None);
    }
    store.use_app_key(&sha256_hex(presented), now()).await
}

fn looks_like_key(s: &str) -> bool {
    s.strip_prefix(PREFIX).is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A key name as a person typed it: trimmed, 1 to 60 characters.
pub fn key_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    (!name.is_empty() && name.chars().count() <= 60 && !name.chars().any(char::is_control)).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_keys_are_looked_up() {
        assert!(looks_like_key(&format!("pbk_{}", "a".repeat(64))));
        assert!(!looks_like_key(&format!("pbk_{}", "a".repeat(63))));
        assert!(!looks_like_key(&format!("pbx_{}", "a".repeat(64))));
        assert!(!looks_like_key(&format!("pbk_{}", "z".repeat(64))));
    }
}
