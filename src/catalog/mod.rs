//! The connector catalog: loaded from `catalog/connectors/*.toml` (embedded at build time,
//! or read from a directory), validated, and looked up by id.

mod auth;
pub mod binding;
mod check;
pub mod filters;
mod ids;
mod model;
pub mod poll;
pub mod template;

pub use auth::*;
pub use check::{MIME_INPUTS, Problem, REQUEST_COMPUTED, SANDBOX_COMPUTED, SourceFile, check};
pub use ids::{CUSTOM_PREFIX, ConnectorId, InvalidConnectorId, KNOWN_IDS, is_custom};
pub use model::*;

use std::collections::HashMap;
use std::path::Path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_catalog.rs"));
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the catalog directory {dir}: {source}")]
    Read { dir: String, source: std::io::Error },
    #[error("the catalog has {} problem(s); run `patchbay catalog check`:\n{}", .0.len(), render(.0))]
    Invalid(Vec<Problem>),
}

fn render(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

/// The validated set of connectors. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Catalog {
    connectors: Vec<Connector>,
    by_id: HashMap<String, usize>,
}

impl Catalog {
    /// The catalog compiled into this binary.
    pub fn embedded() -> Result<Self, CatalogError> {
        Self::from_sources(&embedded_sources())
    }

    /// Reads every `*.toml` in `dir`.
    pub fn load_dir(dir: &Path) -> Result<Self, CatalogError> {
        Self::from_sources(&read_dir(dir)?)
    }

    /// Builds a catalog from files, refusing it if any check fails.
    pub fn from_sources(files: &[SourceFile]) -> Result<Self, CatalogError> {
        let (connectors, problems) = check(files);
        if !problems.is_empty() {
            return Err(CatalogError::Invalid(problems));
        }
        Ok(Self::from_connectors(connectors))
    }

    /// Builds a catalog from connectors that are already valid (benchmarks build large
    /// synthetic catalogs this way; the id-list rules of `check` do not apply to them).
    pub fn from_connectors(mut connectors: Vec<Connector>) -> Self {
        connectors.sort_by(|a, b| a.id.cmp(&b.id));
        let by_id = connectors.iter().enumerate().map(|(i, c)| (c.id.as_str().to_owned(), i)).collect();
        Self { connectors, by_id }
    }

    pub fn get(&self, id: &str) -> Option<&Connector> {
        self.by_id.get(id).map(|&i| &self.connectors[i])
    }

    /// The position of a connector in `iter()` order.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// The connector at a position of `iter()` order.
    pub fn at(&self, index: usize) -> &Connector {
        &self.connectors[index]
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Connector> {
        self.connectors.iter()
    }

    pub fn len(&self) -> usize {
        self.connectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.connectors.is_empty()
    }
}

pub fn embedded_sources() -> Vec<SourceFile> {
    embedded::FILES
        .iter()
        .map(|(name, text)| SourceFile { path: format!("catalog/connectors/{name}"), text: (*text).to_owned() })
        .collect()
}

pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, CatalogError> {
    let fail = |source| CatalogError::Read { dir: dir.display().to_string(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(fail)? {
        let path = entry.map_err(fail)?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).map_err(fail)?;
            files.push(SourceFile { path: path.display().to_string(), text });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
