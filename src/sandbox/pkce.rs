//! PKCE (RFC 7636), S256 only: the sandbox refuses `plain` and a missing challenge as the
//! stricter providers do, so a client that forgets PKCE fails in development, not later.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A well-formed S256 code challenge: the base64url (no padding) SHA-256 of a verifier,
/// which is always 43 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(raw.to_owned()))
    }

    /// The challenge a verifier yields.
    pub fn of_verifier(verifier: &str) -> Self {
        Self(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `verifier` is well formed and hashes to this challenge.
    pub fn accepts(&self, verifier: &str) -> bool {
        verifier_is_well_formed(verifier) && Self::of_verifier(verifier) == *self
    }
}

/// RFC 7636 §4.1: 43 to 128 characters from the unreserved set.
pub fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_pkce_matches_the_rfc_7636_example() {
        // RFC 7636 Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap();
        assert_eq!(CodeChallenge::of_verifier(verifier), challenge);
        assert!(challenge.accepts(verifier));
        assert!(!challenge.accepts("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
    }

    #[test]
    fn sandbox_pkce_refuses_malformed_challenges_and_verifiers() {
        assert!(CodeChallenge::parse("short").is_none());
        assert!(CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM").is_none(), "not base64url");
        assert!(CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=").is_none(), "padding");
        assert!(!verifier_is_well_formed("too-short"));
        assert!(!verifier_is_well_formed(&"a".repeat(129)));
        assert!(!verifier_is_well_formed(&format!("{}!", "a".repeat(50))));
        assert!(verifier_is_well_formed(&"a~.-_".repeat(10)));
    }
}
