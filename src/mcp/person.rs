//! An in-app agent acting for one of the app's users (`X-Patchbay-As-User: <their id>`): a
//! tool set up as an app user connector runs with that person's own connection, never
//! anyone else's. When they have not connected it (or it cannot do what the action needs),
//! the answer carries a fresh connect link for them: single use, 15 minutes.

use super::authorize::{Needed, Standing, label};
use super::server::McpServer;
use crate::catalog::{Connector, Operation};
use crate::oauth::app_user::AppUserError;

/// The person a call acts for, when the connector is one the app's users connect
/// themselves; `None` means the app's shared connection.
pub async fn acting_for<'s>(server: &'s McpServer, connector: &Connector) -> Result<Option<&'s str>, AppUserError> {
    let Some(person) = server.as_user.as_deref() else { return Ok(None) };
    Ok(for_app_users(server, connector).await?.then_some(person))
}

/// True when the app's users connect this tool themselves.
pub async fn for_app_users(server: &McpServer, connector: &Connector) -> Result<bool, crate::store::StoreError> {
    Ok(server.state.store.app_user_connector(server.app.id, connector.id.as_str()).await?.is_some())
}

/// `None` when the person's own connection can run the action now.
pub async fn needed(
    server: &McpServer,
    connector: &Connector,
    action: &Operation,
    person: &str,
) -> Result<Option<Needed>, AppUserError> {
    let store = &server.state.store;
    let row = store.app_user_connection(server.app.id, connector.id.as_str(), person).await?;
    if Standing::of(connector, action, row.as_ref()) == Standing::Ready {
        return Ok(None);
    }
    let link = server.state.oauth.new_connect_session(server.app.id, person, connector.id.as_str(), None).await?;
    let name = &connector.name;
    let permissions: Vec<String> = action.scopes.iter().map(|s| label(connector, s)).collect();
    let message = format!(
        "This person has not connected their own {name} account to this app (or it cannot {} yet). Send them this \
         link: it works once, for 15 minutes, and asks them to connect their {name} account: {}. Then call this \
         tool again.",
        action.name.to_lowercase(),
        link.url
    );
    let ask = format!("Connect your own {name} account to this app.");
    Ok(Some(Needed { connector: connector.id.to_string(), permissions, url: link.url, message, ask }))
}
