//! Credential connectors (keys, bot tokens, workspace credentials): the card asks for the
//! documented fields, a live test call against the sandbox decides, the secret is sealed
//! and never shown again, editors replace it, and actions carry it in each provider's style.

mod card;
mod rotation;
mod stub;

use crate::helpers::{OWNER, TODO_APP, TestApp};
use patchbay::store::ConnectionRow;
use std::collections::HashMap;

/// The eight connectors that connect with typed credentials.
pub const TYPED: [&str; 8] =
    ["twilio", "telegram", "stripe", "whatsapp", "snowflake", "databricks", "freshdesk", "wix"];

/// The sandbox's test values, as its developer console lists them, as form fields.
pub fn test_form(app: &TestApp, connector: &str) -> Vec<(String, String)> {
    let c = app.state.catalog.get(connector).unwrap();
    c.auth
        .credentials
        .iter()
        .filter_map(|cr| Some((patchbay::credentials::form_name(cr), cr.sandbox.clone()?)))
        .collect()
}

/// The connector's shared connection made with the sandbox's test credentials, as the
/// card's form makes it.
pub async fn connect_with_test_values(app: &TestApp, connector: &str) -> ConnectionRow {
    let form: HashMap<String, String> = test_form(app, connector).into_iter().collect();
    let ada = app.store.list_users().await.unwrap().into_iter().find(|u| u.email == OWNER).unwrap();
    let c = app.state.catalog.get(connector).unwrap();
    let done = patchbay::credentials::connect(&app.state.oauth, TODO_APP, ada.id, c, &form).await.unwrap();
    app.store.connection(done.connection_id).await.unwrap().unwrap()
}

/// The same fields with the secret replaced by a wrong one.
pub fn with_wrong_secret(app: &TestApp, connector: &str) -> Vec<(String, String)> {
    let c = app.state.catalog.get(connector).unwrap();
    let secret = patchbay::credentials::form_name(c.auth.secret_credential().unwrap());
    test_form(app, connector)
        .into_iter()
        .map(|(k, v)| {
            if k != secret {
                return (k, v);
            }
            if connector == "snowflake" {
                // Another, valid key: its fingerprint is not the user's.
                (k, OTHER_KEY.to_owned())
            } else {
                (k, format!("{v}-wrong"))
            }
        })
        .collect()
}

/// A valid private key that the sandbox's Snowflake user does not have.
const OTHER_KEY: &str = include_str!("other_key.pem");
