//! The first owner. While nobody exists, `/setup` opens only with a one-time code that
//! each server prints in its log at start (anyone who can read the log can run the
//! server, so may make its owner). The first account closes setup for good; the command
//! line (`patchbay users add`) works without a code.

use super::{Email, IdentityError, IdentityResult, Password, sign_in};
use crate::digest::{hex, sha256_hex};
use crate::store::{Store, UserRow, now};
use rand::RngCore;

/// A printed code stays usable this long.
const CODE_TTL_SECS: i64 = 24 * 3600;

/// A new setup code when nobody exists yet, to print; `None` once someone does.
pub async fn announce(store: &Store) -> IdentityResult<Option<String>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    let raw = hex(&bytes);
    // "1a2b-3c4d-5e6f-7a8b": easy to copy from a log line.
    let code = raw.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-");
    let at = now();
    store.add_setup_code(&sha256_hex(&normalize(&code)), at, at + CODE_TTL_SECS).await?;
    Ok(Some(code))
}

pub async fn is_open(store: &Store) -> IdentityResult<bool> {
    Ok(store.user_count().await? == 0)
}

pub struct FirstOwner<'a> {
    pub code: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
}

pub async fn create_owner(store: &Store, form: FirstOwner<'_>) -> IdentityResult<UserRow> {
    if !store.setup_code_valid(&sha256_hex(&normalize(form.code)), now()).await? {
        return Err(IdentityError::Invalid(
            "That setup code is not right. Copy it from the server's log (the line that says \"setup code\").".into(),
        ));
    }
    let email = Email::parse(form.email)?;
    let name = person_name(form.name)?;
    let hash = sign_in::hash(Password::new(form.password)?).await?;
    store.create_first_user(email.as_str(), &name, &hash, now()).await?.ok_or(IdentityError::LinkUsed)
}

/// A person's display name: trimmed, 1 to 100 characters, no control characters.
pub fn person_name(raw: &str) -> IdentityResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(IdentityError::Invalid("Enter a name of 1 to 100 characters.".into()));
    }
    Ok(name.to_owned())
}

fn normalize(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_whatever_the_dashes_and_case() {
        assert_eq!(normalize(" 1A2B-3c4d "), normalize("1a2b3c4d"));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(person_name("  Ada  ").unwrap(), "Ada");
        assert!(person_name("   ").is_err());
        assert!(person_name(&"x".repeat(101)).is_err());
        assert!(person_name("Ada\u{0}").is_err());
    }
}
