//! The pretend accounts a person can sign in to the sandbox as. Any address will do, so
//! that a demo can show "Connected as" with whatever account it needs; a few ready-made
//! ones make the account chooser look like a provider's.

use sha2::{Digest, Sha256};

/// Ready-made accounts offered on the consent screen besides the signed-in person's.
pub const DEMO_ACCOUNTS: [(&str, &str); 3] = [
    ("alex.rivera@example.com", "Alex Rivera"),
    ("sam.okafor@example.org", "Sam Okafor"),
    ("team@acme.example", "Acme Team"),
];

/// Domains of personal mailboxes (Microsoft's own and the common webmail ones): a sandbox
/// account on one of them plays a personal account, which a provider that takes work or
/// school accounts only refuses at sign-in.
const PERSONAL_DOMAINS: [&str; 10] = [
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
];

/// The identity chosen on the consent screen: what the userinfo endpoint answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub email: String,
    pub name: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not an email address: use something like name@example.com")]
pub struct InvalidEmail(pub String);

impl Account {
    /// An account for `email`; without a name, one is made from the address
    /// (`alex.rivera@…` is "Alex Rivera"), as the demo accounts have.
    pub fn parse(email: &str, name: Option<&str>) -> Result<Self, InvalidEmail> {
        let email = email.trim();
        let (local, domain) = email.split_once('@').ok_or_else(|| InvalidEmail(email.to_owned()))?;
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'));
        if !well_formed {
            return Err(InvalidEmail(email.to_owned()));
        }
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => n.to_owned(),
            None => DEMO_ACCOUNTS
                .iter()
                .find(|(e, _)| e.eq_ignore_ascii_case(email))
                .map(|(_, n)| (*n).to_owned())
                .unwrap_or_else(|| name_from(local)),
        };
        Ok(Self { email: email.to_owned(), name })
    }

    /// True for an address on a personal mailbox domain (see [`PERSONAL_DOMAINS`]).
    pub fn is_personal(&self) -> bool {
        let domain = self.email.rsplit('@').next().unwrap_or_default().to_lowercase();
        PERSONAL_DOMAINS.contains(&domain.as_str())
    }

    /// A stable subject identifier: the same address always gets the same `sub`, across
    /// grants and server instances, as a provider's user id would be.
    pub fn sub(&self) -> String {
        let hash = format!("{:x}", Sha256::digest(self.email.to_lowercase().as_bytes()));
        format!("sandbox-{}", &hash[..20])
    }
}

fn name_from(local: &str) -> String {
    let words: Vec<String> = local
        .split(['.', '_', '-', '+'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect();
    if words.is_empty() { local.to_owned() } else { words.join(" ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_accounts_take_any_address_and_name_it_from_its_local_part() {
        let a = Account::parse(" jo.ann_lee@corp.test ", None).unwrap();
        assert_eq!((a.email.as_str(), a.name.as_str()), ("jo.ann_lee@corp.test", "Jo Ann Lee"));
        assert_eq!(Account::parse("team@acme.example", None).unwrap().name, "Acme Team");
        assert_eq!(Account::parse("ada@example.com", Some("Ada Owner")).unwrap().name, "Ada Owner");
    }

    #[test]
    fn sandbox_accounts_refuse_what_is_not_an_address() {
        for bad in ["", "nobody", "@example.com", "a@", "a@b@c", "a b@example.com", "<a@example.com>"] {
            assert!(Account::parse(bad, None).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn personal_mailboxes_are_told_from_work_addresses() {
        assert!(Account::parse("jo@Hotmail.com", None).unwrap().is_personal());
        assert!(Account::parse("jo@outlook.com", None).unwrap().is_personal());
        assert!(!Account::parse("jo@contoso.example", None).unwrap().is_personal());
        assert!(!Account::parse("jo@outlook.com.contoso.example", None).unwrap().is_personal());
    }

    #[test]
    fn sandbox_subjects_are_stable_per_address() {
        let a = Account::parse("Alex@Example.com", None).unwrap();
        let b = Account::parse("alex@example.com", Some("Other")).unwrap();
        assert_eq!(a.sub(), b.sub());
        assert_ne!(a.sub(), Account::parse("sam@example.com", None).unwrap().sub());
    }
}
