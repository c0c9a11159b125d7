//! patchbay: from a builder's chat request to working, authorised connections.
//! The modules follow the pipeline: catalog → intent → ranking → card → oauth →
//! connections → wiring, with store (persistence) and http (pages and API) around them.
#![forbid(unsafe_code)]

pub mod actions;
pub mod app;
pub mod card;
pub mod catalog;
pub mod chat;
pub mod cli;
pub mod config;
pub mod connections;
/// Connectors connected with typed credentials (keys, bot tokens), tested live first.
pub mod credentials;
/// APIs an editor imports from an OpenAPI document, run as the app's own connectors.
pub mod custom;
pub mod digest;
pub mod http;
pub mod identity;
pub mod intent;
/// The MCP server per app: search, execute, and authorization on demand for AI agents.
pub mod mcp;
pub mod oauth;
pub mod ranking;
pub mod runner;
pub mod sandbox;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod wiring;

/// The catalog named by settings (`catalog_dir`), else the one built into the binary.
pub fn load_catalog(settings: &config::Settings) -> Result<catalog::Catalog, catalog::CatalogError> {
    match &settings.catalog_dir {
        Some(dir) => catalog::Catalog::load_dir(dir),
        None => catalog::Catalog::embedded(),
    }
}
