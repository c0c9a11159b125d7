//! Passwords: at least 10 characters, stored only as Argon2id PHC strings (the `argon2`
//! crate's defaults, which follow OWASP's advice). Checking a password for an email with
//! no account runs the same hash against a dummy, so the answer takes as long either way.

use super::{IdentityError, IdentityResult};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};
use std::sync::LazyLock;

pub const MIN_CHARS: usize = 10;
/// Long enough for any passphrase, short enough that hashing stays cheap to refuse.
pub const MAX_CHARS: usize = 256;

/// A password that meets the rules; its Debug output is redacted.
#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    /// A new password someone is choosing: the length rules apply.
    pub fn new(raw: &str) -> IdentityResult<Self> {
        let n = raw.chars().count();
        if n < MIN_CHARS {
            return Err(IdentityError::Invalid(format!("Choose a password of at least {MIN_CHARS} characters.")));
        }
        if n > MAX_CHARS {
            return Err(IdentityError::Invalid(format!("Choose a password of at most {MAX_CHARS} characters.")));
        }
        Ok(Self(SecretString::from(raw.to_owned())))
    }

    pub fn hash(&self) -> IdentityResult<String> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| IdentityError::Hashing(e.to_string()))
    }
}

/// True when `attempt` matches `stored`; with no stored hash it still spends the time of
/// one check, then answers false.
pub fn verify(attempt: &str, stored: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| Password::new("not a password anyone has").and_then(|p| p.hash()).unwrap_or_default());
    let attempt = if attempt.chars().count() > MAX_CHARS { "" } else { attempt };
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (DUMMY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    Argon2::default().verify_password(attempt.as_bytes(), &parsed).is_ok() && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        let err = Password::new("too short").unwrap_err().to_string();
        assert!(err.contains("at least 10"), "{err}");
        assert!(Password::new("long enough now").is_ok());
    }

    #[test]
    fn a_hash_is_an_argon2id_phc_string_that_verifies_only_the_same_password() {
        let hash = Password::new("correct horse battery").unwrap().hash().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify("correct horse battery", Some(&hash)));
        assert!(!verify("correct horse battery!", Some(&hash)));
        assert!(!verify("correct horse battery", None));
    }

    #[test]
    fn the_debug_output_never_shows_the_password() {
        let p = Password::new("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
