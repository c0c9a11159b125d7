//! Flow wiring: from a routed request to a flow definition (trigger → steps → actions),
//! its validation against the catalog, the app's structure and the connections' grants,
//! and its storage as versioned rows.

pub mod access;
pub mod cron;
pub mod definition;
pub mod fields;
pub mod problems;
pub mod refs;
pub mod validate;

pub use access::{Grants, MissingAccess};
pub use definition::*;
pub use problems::Problem;
pub use validate::{FlowStatus, Report, validate};
