//! Random tokens and their hashes: sessions, OAuth `state`, confirmation ids. Only the
//! SHA-256 of a token is ever stored, so the database alone signs nobody in.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

pub fn sha256_hex(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (super::random_token(), super::random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(super::sha256_hex("abc"), super::sha256_hex("abc"));
        assert_eq!(super::sha256_hex("abc").len(), 64);
    }
}
