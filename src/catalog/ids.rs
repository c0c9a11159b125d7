//! The connector ids: a stable interface (DESIGN.md). Other systems store these strings,
//! so an id is only ever added, never renamed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every connector patchbay ships, in the order DESIGN.md lists them; ids added later
/// (additively) come at the end.
pub const KNOWN_IDS: [&str; 73] = [
    "gmail",
    "outlook",
    "slack",
    "slack_bot",
    "discord",
    "microsoft_teams",
    "google_meet",
    "telegram",
    "twilio",
    "whatsapp",
    "google_drive",
    "google_docs",
    "google_sheets",
    "google_slides",
    "google_calendar",
    "google_tasks",
    "google_forms",
    "google_classroom",
    "notion",
    "dropbox",
    "box",
    "airtable",
    "onedrive",
    "sharepoint",
    "microsoft_excel",
    "instagram",
    "linkedin",
    "tiktok",
    "x_twitter",
    "facebook_pages",
    "youtube",
    "google_analytics",
    "google_bigquery",
    "google_search_console",
    "google_ads",
    "snowflake",
    "databricks",
    "hubspot",
    "salesforce",
    "pipedrive",
    "zoho_crm",
    "clickup",
    "linear",
    "wrike",
    "asana",
    "trello",
    "monday",
    "todoist",
    "jira",
    "confluence",
    "github",
    "gitlab",
    "bitbucket",
    "contentful",
    "supabase",
    "wix",
    "shopify",
    "stripe",
    "square",
    "quickbooks",
    "xero",
    "splitwise",
    "typeform",
    "calendly",
    "bamboohr",
    "hugging_face",
    "zendesk",
    "intercom",
    "freshdesk",
    "mailchimp",
    "zoom",
    "figma",
    "linkedin_pages",
];

/// A connector id such as `gmail`: lowercase ASCII letters, digits and underscores.
/// Whether a connector with this id exists is the catalog's question, not this type's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConnectorId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a connector id: use lowercase letters, digits and '_' (like google_sheets)")]
pub struct InvalidConnectorId(pub String);

impl ConnectorId {
    pub fn parse(raw: &str) -> Result<Self, InvalidConnectorId> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok { Ok(Self(raw.to_owned())) } else { Err(InvalidConnectorId(raw.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An API an editor imported into one app (`custom_<slug>`), not a catalog entry: the
    /// catalog's own ids never start so.
    pub fn is_custom(&self) -> bool {
        is_custom(&self.0)
    }
}

/// The prefix of every custom API's connector id.
pub const CUSTOM_PREFIX: &str = "custom_";

pub fn is_custom(id: &str) -> bool {
    id.starts_with(CUSTOM_PREFIX)
}

impl TryFrom<String> for ConnectorId {
    type Error = InvalidConnectorId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<ConnectorId> for String {
    fn from(id: ConnectorId) -> Self {
        id.0
    }
}

impl fmt::Display for ConnectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ConnectorId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lowercase_id_with_underscores_parses() {
        assert_eq!(ConnectorId::parse("google_sheets").unwrap().as_str(), "google_sheets");
    }

    #[test]
    fn ids_with_capitals_spaces_or_nothing_are_refused() {
        for bad in ["Gmail", "google sheets", "", "slack-bot", "gmail;drop"] {
            assert!(ConnectorId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn the_known_ids_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for id in KNOWN_IDS {
            assert!(ConnectorId::parse(id).is_ok(), "{id}");
            assert!(seen.insert(id), "{id} listed twice");
        }
    }
}
