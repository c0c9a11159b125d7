//! Which flows use which connector, and with which scopes: what View access shows and what
//! Remove lists before it asks for confirmation.

use super::PageError;
use crate::http::AppState;

#[derive(Clone, Debug, PartialEq)]
pub struct FlowUse {
    pub flow_id: i64,
    pub flow_name: String,
    pub connector: String,
    pub scopes: Vec<String>,
}

pub async fn of_app(state: &AppState, app_id: i64) -> Result<Vec<FlowUse>, PageError> {
    let mut uses = Vec::new();
    for row in state.store.flows_of_app(app_id).await? {
        // One unreadable flow must not hide the others (or the page).
        let flow = match crate::wiring::load(&state.store, row.id).await {
            Ok(Some(flow)) => flow,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(flow = row.id, error = %e, "skipping an unreadable flow");
                continue;
            }
        };
        for (connector, scopes) in flow.definition.declared_scopes() {
            uses.push(FlowUse {
                flow_id: flow.row.id,
                flow_name: flow.row.name.clone(),
                connector,
                scopes: scopes.into_iter().collect(),
            });
        }
    }
    Ok(uses)
}
