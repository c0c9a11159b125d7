//! Flows in the database: saved as version 1, every edit a new version, each with the
//! status its validation gives (`blocked` while the app's connections lack a scope the
//! steps need). The grants come from the app's shared connections, so that a flow is
//! re-checked whenever a connection changes.

use super::access::Grants;
use super::definition::{ConnectionKind, FlowDefinition};
use super::validate::{FlowStatus, Report, validate};
use crate::app::{AppStructure, StructureError};
use crate::catalog::Catalog;
use crate::connections::policy::{Kind, Policy};
use crate::store::{FlowRow, Store, StoreError};
use serde_json::Value;
use std::collections::BTreeMap;

/// Connection statuses whose tokens still work.
const USABLE: [&str; 2] = ["connected", "expires_soon"];

#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no flow with id {0}")]
    UnknownFlow(i64),
    #[error("no app with id {0}")]
    UnknownApp(i64),
    #[error("flow {flow} version {version} is not a readable definition: {error}")]
    Corrupt { flow: i64, version: i64, error: String },
    #[error("the stored structure of app {app} is not valid: {error}")]
    App { app: i64, error: StructureError },
    #[error("the flow has no setting '{0}'")]
    UnknownSetting(String),
}

pub type WiringResult<T> = Result<T, WiringError>;

/// A flow row with its current definition.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFlow {
    pub row: FlowRow,
    pub definition: FlowDefinition,
}

impl StoredFlow {
    pub fn status(&self) -> Option<FlowStatus> {
        FlowStatus::parse(&self.row.status)
    }
}

/// What the app's connections hold for the connectors the flow uses (for an app user
/// connector, what each person grants when they connect), and which of them the app's
/// owner has blocked (those count as unusable, whatever they hold).
pub async fn grants(store: &Store, catalog: &Catalog, app_id: i64, def: &FlowDefinition) -> WiringResult<Grants> {
    let mut grants = Grants::new();
    let policy = Policy::load(store, app_id).await?;
    for conn in def.connections() {
        let kind = match conn.kind {
            ConnectionKind::Shared => Kind::Shared,
            ConnectionKind::AppUser => Kind::AppUser,
        };
        if let Some(blocked) = catalog.get(&conn.connector).and_then(|c| policy.blocked(c, kind)) {
            grants.refuse(&conn.connector, blocked.to_string());
        }
        match conn.kind {
            ConnectionKind::Shared => {
                if let Some(row) = store.shared_connection(app_id, &conn.connector).await?
                    && USABLE.contains(&row.status.as_str())
                {
                    grants.connect(&conn.connector, row.granted_scopes()?);
                }
            }
            ConnectionKind::AppUser => {
                if let Some(set_up) = store.app_user_connector(app_id, &conn.connector).await? {
                    grants.connect(&conn.connector, set_up.scopes()?);
                }
            }
        }
    }
    Ok(grants)
}

/// Validates the definition against the app's structure and connections.
pub async fn check(store: &Store, catalog: &Catalog, app_id: i64, def: &FlowDefinition) -> WiringResult<Report> {
    let app = store.app(app_id).await?.ok_or(WiringError::UnknownApp(app_id))?;
    let structure =
        AppStructure::parse_json(&app.structure).map_err(|error| WiringError::App { app: app_id, error })?;
    let grants = grants(store, catalog, app_id, def).await?;
    // The app's custom APIs are connectors of this app only.
    let own = crate::custom::app_catalog(store, catalog, app_id).await?;
    Ok(validate(def, own.as_ref().unwrap_or(catalog), Some(&structure), Some(&grants)))
}

/// Stores a new flow at version 1 with the status its validation gives.
pub async fn save(
    store: &Store,
    catalog: &Catalog,
    app_id: i64,
    def: &FlowDefinition,
    user_id: Option<i64>,
) -> WiringResult<(StoredFlow, Report)> {
    let report = check(store, catalog, app_id, def).await?;
    let reason = report.status_reason();
    let row = store
        .create_flow(
            app_id,
            &def.name,
            report.status().as_str(),
            reason.as_deref(),
            &def.to_json(),
            def.source_message_id,
            user_id,
        )
        .await?;
    Ok((StoredFlow { row, definition: def.clone() }, report))
}

/// Stores an edit as the flow's next version. An active flow stays active when the new
/// version can run; otherwise it takes the status its validation gives.
pub async fn save_version(
    store: &Store,
    catalog: &Catalog,
    flow_id: i64,
    def: &FlowDefinition,
    user_id: Option<i64>,
) -> WiringResult<(StoredFlow, Report)> {
    let row = store.flow(flow_id).await?.ok_or(WiringError::UnknownFlow(flow_id))?;
    let report = check(store, catalog, row.app_id, def).await?;
    let status = match FlowStatus::parse(&row.status) {
        Some(FlowStatus::Active) if report.can_activate() => FlowStatus::Active,
        _ => report.status(),
    };
    let reason = report.status_reason();
    store.add_flow_version(flow_id, &def.to_json(), status.as_str(), reason.as_deref(), user_id).await?;
    let row = store.flow(flow_id).await?.ok_or(WiringError::UnknownFlow(flow_id))?;
    Ok((StoredFlow { row, definition: def.clone() }, report))
}

/// The builder's answers to the flow's settings ("#sales" for "Which Slack channel?"),
/// stored as a new version.
pub async fn choose_settings(
    store: &Store,
    catalog: &Catalog,
    flow_id: i64,
    values: &BTreeMap<String, Value>,
    user_id: Option<i64>,
) -> WiringResult<(StoredFlow, Report)> {
    let current = load(store, flow_id).await?.ok_or(WiringError::UnknownFlow(flow_id))?;
    let mut def = current.definition;
    for (name, value) in values {
        let setting = def.settings.iter_mut().find(|s| &s.name == name);
        setting.ok_or_else(|| WiringError::UnknownSetting(name.clone()))?.value = Some(value.clone());
    }
    save_version(store, catalog, flow_id, &def, user_id).await
}

/// The flow's current definition.
pub async fn load(store: &Store, flow_id: i64) -> WiringResult<Option<StoredFlow>> {
    let Some(row) = store.flow(flow_id).await? else { return Ok(None) };
    let definition = load_version(store, flow_id, row.version).await?.ok_or(WiringError::Corrupt {
        flow: flow_id,
        version: row.version,
        error: "the version is missing".into(),
    })?;
    Ok(Some(StoredFlow { row, definition }))
}

/// One version of a flow's definition, current or past.
pub async fn load_version(store: &Store, flow_id: i64, version: i64) -> WiringResult<Option<FlowDefinition>> {
    let Some(v) = store.flow_version(flow_id, version).await? else { return Ok(None) };
    FlowDefinition::from_json(&v.definition).map(Some).map_err(|e| WiringError::Corrupt {
        flow: flow_id,
        version,
        error: e.to_string(),
    })
}

/// The app's flows, oldest first.
pub async fn list(store: &Store, app_id: i64) -> WiringResult<Vec<StoredFlow>> {
    let mut out = Vec::new();
    for row in store.flows_of_app(app_id).await? {
        if let Some(flow) = load(store, row.id).await? {
            out.push(flow);
        }
    }
    Ok(out)
}

/// A flow of the app that does what `def` does (the same trigger and steps, whatever its
/// name), so that asking twice offers the flow there is instead of a copy.
pub async fn same_as(store: &Store, app_id: i64, def: &FlowDefinition) -> WiringResult<Option<StoredFlow>> {
    let work = |d: &FlowDefinition| (serde_json::to_value(&d.trigger).ok(), serde_json::to_value(&d.steps).ok());
    let wanted = work(def);
    Ok(list(store, app_id).await?.into_iter().find(|f| work(&f.definition) == wanted))
}

/// Turns the flow on when it can run (valid, every scope granted, every setting chosen);
/// otherwise stores why not. Returns the status it now has and the report.
pub async fn activate(store: &Store, catalog: &Catalog, flow_id: i64) -> WiringResult<(FlowStatus, Report)> {
    let flow = load(store, flow_id).await?.ok_or(WiringError::UnknownFlow(flow_id))?;
    let report = check(store, catalog, flow.row.app_id, &flow.definition).await?;
    let status = if report.can_activate() { FlowStatus::Active } else { report.status() };
    store.set_flow_status(flow_id, status.as_str(), report.status_reason().as_deref()).await?;
    Ok((status, report))
}

/// Turns the flow off (back to draft, or blocked if it lacks access).
pub async fn deactivate(store: &Store, catalog: &Catalog, flow_id: i64) -> WiringResult<FlowStatus> {
    let flow = load(store, flow_id).await?.ok_or(WiringError::UnknownFlow(flow_id))?;
    let report = check(store, catalog, flow.row.app_id, &flow.definition).await?;
    let status = report.status();
    store.set_flow_status(flow_id, status.as_str(), report.status_reason().as_deref()).await?;
    Ok(status)
}

/// Re-checks every flow of the app after its connections changed: a blocked flow whose
/// scopes are now granted becomes a draft, an active one that lost access is blocked.
/// Returns the flows whose status changed.
pub async fn recheck_app(store: &Store, catalog: &Catalog, app_id: i64) -> WiringResult<Vec<(i64, FlowStatus)>> {
    let mut changed = Vec::new();
    for flow in list(store, app_id).await? {
        let report = check(store, catalog, app_id, &flow.definition).await?;
        let now = match flow.status() {
            Some(FlowStatus::Active) if !report.is_blocked() => FlowStatus::Active,
            // Blocked while it was on (a revoked or removed connection): on again once the
            // connection is back, as it was, never a draft.
            Some(FlowStatus::Blocked) if flow.row.resume_when_connected == 1 && report.can_activate() => {
                FlowStatus::Active
            }
            _ => report.status(),
        };
        let reason = if now == FlowStatus::Active { None } else { report.status_reason() };
        if Some(now) != flow.status() || reason != flow.row.status_reason {
            store.set_flow_status(flow.row.id, now.as_str(), reason.as_deref()).await?;
            if Some(now) != flow.status() {
                changed.push((flow.row.id, now));
            }
        }
    }
    Ok(changed)
}
