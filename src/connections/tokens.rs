//! The tokens of one connection, as sealed into the database. Only this type ever holds
//! them in plain text, and its Debug output shows none of them.

use super::{CipherError, TokenCipher};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenSet {
    pub access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub token_type: String,
    /// OAuth 1.0a: the token credentials' secret, which signs every call with the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_secret: Option<String>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[REDACTED]"))
            .field("token_type", &self.token_type)
            .field("token_secret", &self.token_secret.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// What the sealed bytes are bound to: a blob copied to another app, connector or app
/// user does not open.
pub fn context(app_id: i64, connector: &str, user_ref: Option<&str>) -> String {
    match user_ref {
        None => format!("patchbay:tokens:v1:app:{app_id}:{connector}"),
        Some(person) => format!("patchbay:tokens:v1:app:{app_id}:{connector}:user:{person}"),
    }
}

impl TokenSet {
    /// Sealed for the app's shared connection.
    pub fn seal(&self, cipher: &TokenCipher, app_id: i64, connector: &str) -> Vec<u8> {
        self.seal_for(cipher, app_id, connector, None)
    }

    pub fn open(sealed: &[u8], cipher: &TokenCipher, app_id: i64, connector: &str) -> Result<Self, CipherError> {
        Self::open_for(sealed, cipher, app_id, connector, None)
    }

    /// Sealed for one app user's connection when `user_ref` is set.
    pub fn seal_for(&self, cipher: &TokenCipher, app_id: i64, connector: &str, user_ref: Option<&str>) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("a TokenSet always serialises");
        cipher.seal(&json, &context(app_id, connector, user_ref))
    }

    pub fn open_for(
        sealed: &[u8],
        cipher: &TokenCipher,
        app_id: i64,
        connector: &str,
        user_ref: Option<&str>,
    ) -> Result<Self, CipherError> {
        let json = cipher.open(sealed, &context(app_id, connector, user_ref))?;
        serde_json::from_slice(&json).map_err(|_| CipherError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn tokens_round_trip_sealed_and_never_show_in_debug() {
        let cipher =
            TokenCipher::from_base64(&SecretString::from("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")).unwrap();
        let t = TokenSet {
            access_token: "at-123".into(),
            refresh_token: Some("rt-456".into()),
            token_type: "bearer".into(),
            token_secret: Some("ts-789".into()),
        };
        let sealed = t.seal(&cipher, 7, "gmail");
        assert_eq!(TokenSet::open(&sealed, &cipher, 7, "gmail").unwrap(), t);
        assert!(TokenSet::open(&sealed, &cipher, 8, "gmail").is_err());
        let ada = t.seal_for(&cipher, 7, "gmail", Some("ada"));
        assert!(TokenSet::open_for(&ada, &cipher, 7, "gmail", Some("bob")).is_err());
        assert!(TokenSet::open(&ada, &cipher, 7, "gmail").is_err());
        let shown = format!("{t:?}");
        assert!(!shown.contains("at-123") && !shown.contains("rt-456") && !shown.contains("ts-789"), "{shown}");
    }
}
