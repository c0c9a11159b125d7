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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A short random id (16 hex characters): request ids in logs and on error pages.
pub fn short_id() -> String {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
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
        assert_eq!(super::hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
