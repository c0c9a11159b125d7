//! `patchbay catalog check | list`.

use super::CatalogCommand;
use crate::catalog::{self, Catalog};
use crate::config::Settings;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(settings: Settings, cmd: CatalogCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CatalogCommand::Check { dir } => check(dir.or(settings.catalog_dir)),
        CatalogCommand::List { json } => list(&crate::load_catalog(&settings)?, json),
    }
}

fn check(dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let default = Path::new("catalog/connectors");
    let files = match dir {
        Some(dir) => catalog::read_dir(&dir)?,
        None if default.is_dir() => catalog::read_dir(default)?,
        None => catalog::embedded_sources(),
    };
    let (connectors, problems) = catalog::check(&files);
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        println!("catalog ok: {} connectors", connectors.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} problem(s) in {} file(s)", problems.len(), files.len());
        Ok(ExitCode::FAILURE)
    }
}

fn list(catalog: &Catalog, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        let all: Vec<_> = catalog.iter().collect();
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        for c in catalog.iter() {
            let ops = c.actions.len() + c.triggers.len();
            println!("{:<22} {:<24} {:<18} {:>2} operations  {}", c.id, c.name, c.category.slug(), ops, c.description);
        }
    }
    Ok(ExitCode::SUCCESS)
}
