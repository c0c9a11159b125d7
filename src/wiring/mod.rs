//! Flow wiring: from a routed request to a flow definition (trigger → steps), its
//! validation against the catalog, the app's structure and the connections' grants, and
//! its storage as versioned rows. The definition format is documented in docs/flows.md
//! and docs/flow-schema.json so that another runtime can execute it.
//!
//! The surface the chat and the Flows page use:
//! - [`generate`]`(&route, &Context) -> Result<FlowDefinition, Unbuildable>`: a flow, or
//!   an explanation to show instead ("This app has no invoices: …").
//! - [`validate`]`(&def, &catalog, Some(&app), Some(&grants)) -> Report`: problems in
//!   words, scopes needed and missing (for the incremental-permissions card), status.
//! - [`save`], [`save_version`], [`choose_settings`], [`activate`], [`recheck_app`],
//!   [`load`], [`list`]: the same, with the database.
//! - [`FlowDefinition::outline`]: the boxes of "trigger → step → step", in words.

pub mod access;
pub mod actions;
pub mod conditions;
pub mod cron;
pub mod definition;
pub mod describe;
pub mod draft;
pub mod explain;
pub mod fields;
pub mod generate;
pub mod inputs;
pub mod lexicon;
pub mod listing;
pub mod named;
pub mod offer;
pub mod problems;
pub mod refs;
pub mod start;
pub mod steps;
pub mod storage;
pub mod validate;

pub use access::{Grants, MissingAccess};
pub use definition::*;
pub use describe::Node;
pub use explain::Unbuildable;
pub use generate::{Context, generate};
pub use problems::Problem;
pub use storage::{
    StoredFlow, WiringError, WiringResult, activate, check, choose_settings, deactivate, list, load, load_version,
    recheck_app, same_as, save, save_version,
};
pub use validate::{FlowStatus, Report, validate};

#[cfg(test)]
#[path = "acceptance_tests.rs"]
mod acceptance_tests;

#[cfg(test)]
#[path = "schema_tests.rs"]
mod schema_tests;
