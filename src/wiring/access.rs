//! Which scopes a flow needs, per connector, and which of them the app's connections do
//! not hold. The catalog decides what an operation needs (a definition's own `scopes`
//! lists are checked against it), and a missing scope blocks the flow until the builder
//! grants it: the chat shows the incremental-permissions card from this list.

use super::definition::{FlowDefinition, FlowTrigger, Step};
use crate::catalog::{Catalog, Operation};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The scopes each connected connector holds, through the app's shared connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    connected: BTreeMap<String, BTreeSet<String>>,
    /// Connectors the app's owner has blocked, with the sentence that says so: they count
    /// as unusable whatever the connection holds.
    refused: BTreeMap<String, String>,
}

impl Grants {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a connection of `connector` holding `scopes`.
    pub fn connect<S: AsRef<str>>(&mut self, connector: &str, scopes: impl IntoIterator<Item = S>) -> &mut Self {
        self.connected
            .entry(connector.to_owned())
            .or_default()
            .extend(scopes.into_iter().map(|s| s.as_ref().to_owned()));
        self
    }

    pub fn scopes_of(&self, connector: &str) -> Option<&BTreeSet<String>> {
        self.connected.get(connector)
    }

    /// Records that the app's owner blocked `connector`, and why in words.
    pub fn refuse(&mut self, connector: &str, reason: impl Into<String>) -> &mut Self {
        self.refused.insert(connector.to_owned(), reason.into());
        self
    }

    /// The owner's refusals of connectors the needs use, one sentence each.
    pub fn refusals<'a>(&'a self, needed: &'a BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
        self.refused.iter().filter(|(c, _)| needed.contains_key(*c)).map(|(_, r)| r.clone()).collect()
    }
}

/// What one connector lacks: the whole connection, or some scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingAccess {
    pub connector: String,
    /// False when the app has no shared connection for it at all.
    pub connected: bool,
    pub scopes: Vec<String>,
}

impl fmt::Display for MissingAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.connected, self.scopes.is_empty()) {
            (false, true) => write!(f, "{} is not connected", self.connector),
            (false, false) => write!(f, "{} is not connected (needs {})", self.connector, self.scopes.join(", ")),
            (true, _) => write!(f, "{} needs {}", self.connector, self.scopes.join(", ")),
        }
    }
}

/// Looks up a full operation id (`gmail.send_email`) among a connector's actions or
/// triggers.
pub fn operation<'c>(catalog: &'c Catalog, full_id: &str, trigger: bool) -> Option<&'c Operation> {
    let (connector, local) = full_id.split_once('.')?;
    let c = catalog.get(connector)?;
    if trigger { c.trigger(local) } else { c.action(local) }
}

/// The scopes the flow needs per connector, as the catalog says; every connector the flow
/// uses appears, even one whose operations need no scope (it still needs a connection).
pub fn needed(def: &FlowDefinition, catalog: &Catalog) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |connector: &str, op: &str, trigger: bool, declared: &[String]| {
        let entry = out.entry(connector.to_owned()).or_default();
        match operation(catalog, op, trigger) {
            Some(op) => entry.extend(op.scopes.iter().cloned()),
            // An operation the catalog lacks is a validation problem of its own; its
            // declared scopes are the best guess of what it would need.
            None => entry.extend(declared.iter().cloned()),
        }
    };
    if let FlowTrigger::Connector(t) = &def.trigger {
        add(&t.connection.connector, &t.operation, true, &t.scopes);
    }
    for step in &def.steps {
        if let Step::Action(a) = step {
            add(&a.connection.connector, &a.operation, false, &a.scopes);
        }
    }
    out
}

/// What the grants lack for the needs, connector by connector. A connector the owner
/// blocked is not listed here (see [`Grants::refusals`]): connecting it would not help.
pub fn missing(needed: &BTreeMap<String, BTreeSet<String>>, grants: &Grants) -> Vec<MissingAccess> {
    needed
        .iter()
        .filter(|(connector, _)| !grants.refused.contains_key(*connector))
        .filter_map(|(connector, scopes)| match grants.scopes_of(connector) {
            None => Some(MissingAccess {
                connector: connector.clone(),
                connected: false,
                scopes: scopes.iter().cloned().collect(),
            }),
            Some(held) => {
                let lacking: Vec<String> = scopes.difference(held).cloned().collect();
                (!lacking.is_empty()).then(|| MissingAccess {
                    connector: connector.clone(),
                    connected: true,
                    scopes: lacking,
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiring::definition::tests::daily_tasks;

    const SEND: &str = "https://www.googleapis.com/auth/gmail.send";

    #[test]
    fn the_catalog_says_what_each_step_needs() {
        let catalog = Catalog::embedded().unwrap();
        let needs = needed(&daily_tasks(), &catalog);
        assert_eq!(needs["gmail"].iter().collect::<Vec<_>>(), [SEND]);
    }

    #[test]
    fn missing_scopes_and_connections_are_listed() {
        let catalog = Catalog::embedded().unwrap();
        let needs = needed(&daily_tasks(), &catalog);
        let none = missing(&needs, &Grants::new());
        assert_eq!(none, [MissingAccess { connector: "gmail".into(), connected: false, scopes: vec![SEND.into()] }]);
        let mut grants = Grants::new();
        grants.connect("gmail", ["openid", "email"]);
        let some = missing(&needs, &grants);
        assert_eq!(some[0].to_string(), format!("gmail needs {SEND}"));
        grants.connect("gmail", [SEND]);
        assert!(missing(&needs, &grants).is_empty());
    }
}
