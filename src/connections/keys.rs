//! One key story across servers. The database remembers the fingerprints of the token
//! keys it has seen sealing (never the keys): a server whose sealing key is not among
//! them refuses to start, instead of sealing tokens its peers cannot open. Rotation adds
//! a key (its fingerprint is registered first, so servers given the new key are
//! accepted), and rewrap re-seals every connection's tokens under the newest key.

use super::{TokenCipher, TokenSet};
use crate::store::{Store, StoreError, now};

const FACT: &str = "token_key_fingerprints";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "this server's token key (fingerprint {mine}) is not the one this database's tokens are sealed with \
         (fingerprint {known}): give every server the same PATCHBAY_TOKEN_KEY"
    )]
    Mismatch { mine: String, known: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn short(fingerprint: &str) -> &str {
    &fingerprint[..fingerprint.len().min(12)]
}

/// Registers this server's keys on first use; refuses a sealing key the database has not
/// seen.
pub async fn agree_with_database(store: &Store, cipher: &TokenCipher) -> Result<(), KeyError> {
    let mine = cipher.fingerprints().collect::<Vec<_>>().join(",");
    let known = store.agree_on_fact(FACT, &mine, now()).await?;
    if known.split(',').any(|k| k == cipher.fingerprint()) {
        return Ok(());
    }
    Err(KeyError::Mismatch {
        mine: short(cipher.fingerprint()).to_owned(),
        known: known.split(',').map(short).collect::<Vec<_>>().join(", "),
    })
}

/// Makes `new_fingerprint` acceptable to the database (before servers get the new key).
pub async fn register(store: &Store, new_fingerprint: &str) -> Result<(), StoreError> {
    let known = store.agree_on_fact(FACT, new_fingerprint, now()).await?;
    if !known.split(',').any(|k| k == new_fingerprint) {
        store.set_fact(FACT, &format!("{new_fingerprint},{known}"), now()).await?;
    }
    Ok(())
}

/// What a rewrap did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rewrapped {
    pub resealed: usize,
    pub already_current: usize,
    /// Tokens none of this server's keys open: left alone, and named.
    pub unreadable: Vec<i64>,
}

/// Re-seals every connection's tokens under the newest key. Each write is conditional on
/// the blob it read, so a refresh racing the rewrap is never overwritten.
pub async fn rewrap(store: &Store, cipher: &TokenCipher) -> Result<Rewrapped, StoreError> {
    let mut done = Rewrapped::default();
    for row in store.connections_with_tokens().await? {
        let Some(sealed) = row.sealed_tokens.as_deref() else { continue };
        if !cipher.needs_rewrap(sealed) {
            done.already_current += 1;
            continue;
        }
        match TokenSet::open_for(sealed, cipher, row.app_id, &row.connector, row.user_ref.as_deref()) {
            Ok(tokens) => {
                let fresh = tokens.seal_for(cipher, row.app_id, &row.connector, row.user_ref.as_deref());
                if store.replace_sealed_tokens(row.id, sealed, &fresh).await? {
                    done.resealed += 1;
                }
            }
            Err(_) => done.unreadable.push(row.id),
        }
    }
    Ok(done)
}
