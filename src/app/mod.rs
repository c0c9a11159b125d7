//! The builder's app: its structure (pages, entities, flows, functions), the roles of the
//! people in it, and the demo app seeded on first start.

pub mod demo;
mod role;
mod structure;
pub mod structure_edit;

pub use role::Role;
pub use structure::{AppStructure, Entity, Field, Named, StructureError};
