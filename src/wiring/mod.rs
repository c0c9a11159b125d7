//! Flow wiring: from a routed request to a flow definition (trigger → steps → actions),
//! its validation against the catalog, the app's structure and the connections' grants,
//! and its storage as versioned rows.

pub mod access;
pub mod cron;
pub mod definition;
pub mod explain;
pub mod fields;
pub mod generate;
pub mod inputs;
pub mod listing;
pub mod problems;
pub mod refs;
pub mod start;
pub mod validate;

pub use access::{Grants, MissingAccess};
pub use definition::*;
pub use explain::Unbuildable;
pub use generate::{Context, generate};
pub use problems::Problem;
pub use validate::{FlowStatus, Report, validate};

#[cfg(test)]
#[path = "acceptance_tests.rs"]
mod acceptance_tests;
