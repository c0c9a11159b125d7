//! Authorization on demand: whether an app can run an action now, and when it cannot, the
//! page where a person fixes that and the permission in plain words. An agent cannot
//! approve access itself; it can hand the person a link that asks for exactly what the
//! action needs, and call again afterwards.

use crate::catalog::{Connector, Operation};
use crate::connections::Status;
use crate::http::auth::current::urlencode;
use crate::store::ConnectionRow;

/// Where the app stands with one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Ready,
    /// No connection to the tool at all.
    NotConnected,
    /// A connection that cannot be used until someone reconnects it.
    Unusable(Status),
    /// Connected, without these permissions (their plain-words labels).
    Missing(Vec<String>),
}

impl Standing {
    pub fn of(connector: &Connector, action: &Operation, row: Option<&ConnectionRow>) -> Self {
        let Some(row) = row else { return Self::NotConnected };
        let status = Status::parse(&row.status);
        if matches!(status, Status::Revoked | Status::Disconnected | Status::NeedsReauthorization)
            || row.sealed_tokens.is_none()
        {
            return Self::Unusable(status);
        }
        // An unreadable scope list reads as nothing granted: the person is sent to fix it.
        let granted = row.granted_scopes().unwrap_or_default();
        let missing: Vec<String> =
            action.scopes.iter().filter(|s| !granted.contains(s)).map(|s| label(connector, s)).collect();
        if missing.is_empty() { Self::Ready } else { Self::Missing(missing) }
    }

    /// Connected and usable, whatever the permissions.
    pub fn is_connected(&self) -> bool {
        matches!(self, Self::Ready | Self::Missing(_))
    }
}

/// The permission a scope grants, in the catalog's words for people; never the scope.
pub fn label(connector: &Connector, scope: &str) -> String {
    connector
        .permission(scope)
        .map_or_else(|| format!("use {} as this action needs", connector.name), |p| p.label.clone())
}

/// What a person must do before the action can run.
#[derive(Debug, Clone)]
pub struct Needed {
    pub connector: String,
    pub permissions: Vec<String>,
    pub url: String,
    /// What to do, with the page's address in it: for a model to relay.
    pub message: String,
    /// The same without the address: for a client that opens the page itself.
    pub ask: String,
}

/// `None` when the action can run now. `base` is patchbay's public URL.
pub fn needed(
    base: &str,
    app_id: i64,
    connector: &Connector,
    action: &Operation,
    row: Option<&ConnectionRow>,
) -> Option<Needed> {
    let name = &connector.name;
    // One page for every case: it asks for exactly this tool and this action's permissions.
    let url = format!(
        "{base}/apps/{app_id}/integrations/connect?connector={}&action={}",
        connector.id,
        urlencode(&action.id)
    );
    let (permissions, message, ask) = match Standing::of(connector, action, row) {
        Standing::Ready => return None,
        Standing::NotConnected => {
            let permissions: Vec<String> = action.scopes.iter().map(|s| label(connector, s)).collect();
            let allow = if permissions.is_empty() {
                String::new()
            } else {
                format!(" and allow it to {}", joined(&permissions))
            };
            let to = lowercase_first(&action.name);
            let message = format!(
                "{name} is not connected to this app. To {to}, a person who edits the app must connect {name}{allow}: \
                 open {url}. Then call this tool again."
            );
            (permissions, message, format!("Connect {name} to this app{allow}, so the agent can {to}."))
        }
        Standing::Unusable(status) => {
            let reason = row.and_then(|r| r.status_reason.clone()).map(|r| format!(" ({r})")).unwrap_or_default();
            let permissions: Vec<String> = action.scopes.iter().map(|s| label(connector, s)).collect();
            let status = status.label().to_lowercase();
            let message = format!(
                "{name} is {status}{reason}. A person who edits the app can reconnect it: open {url}. \
                 Then call this tool again."
            );
            (permissions, message, format!("Reconnect {name}: it is {status}{reason}."))
        }
        Standing::Missing(permissions) => {
            let allow = joined(&permissions);
            let message = format!(
                "{name} is connected without permission to {allow}. A person who edits the app can grant it by \
                 reconnecting {name}: open {url}. Then call this tool again."
            );
            (permissions, message, format!("Reconnect {name} and allow it to {allow}."))
        }
    };
    Some(Needed { connector: connector.id.to_string(), permissions, url, message, ask })
}

fn joined(labels: &[String]) -> String {
    labels.iter().map(|l| lowercase_first(l)).collect::<Vec<_>>().join(" and ")
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn an_unconnected_tool_gets_the_connect_page_and_the_permission_in_words() {
        let catalog = Catalog::embedded().unwrap();
        let gmail = catalog.get("gmail").unwrap();
        let send = gmail.action("send_email").unwrap();
        let needed = needed("https://pb.test", 7, gmail, send, None).unwrap();
        assert_eq!(needed.url, "https://pb.test/apps/7/integrations/connect?connector=gmail&action=send_email");
        assert_eq!(needed.permissions, ["Send email on your behalf"]);
        assert!(needed.message.contains("send email on your behalf"), "{}", needed.message);
        assert!(needed.message.contains(&needed.url));
        assert!(!needed.message.contains("googleapis"), "no raw scopes: {}", needed.message);
    }
}
