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
    let actions: usize = connectors.iter().map(|c| c.actions.len()).sum();
    let unbound: Vec<String> =
        connectors.iter().flat_map(|c| c.unbound_actions().map(move |a| format!("{}.{}", c.id, a.id))).collect();
    println!("{} of {actions} actions can run; {} have no HTTP binding yet", actions - unbound.len(), unbound.len());
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
        let all = catalog.iter().map(marked).collect::<Result<Vec<_>, _>>()?;
        println!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        for c in catalog.iter() {
            let ops = c.actions.len() + c.triggers.len();
            let unbound = c.unbound_actions().count();
            let note = if unbound > 0 { format!(" ({unbound} not runnable yet)") } else { String::new() };
            println!(
                "{:<22} {:<24} {:<18} {:>2} operations{note}  {}",
                c.id,
                c.name,
                c.category.slug(),
                ops,
                c.description
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A connector as JSON, each action marked `"bound": true|false` so that a script can
/// count what patchbay can run.
fn marked(c: &catalog::Connector) -> serde_json::Result<serde_json::Value> {
    let mut value = serde_json::to_value(c)?;
    if let Some(actions) = value.get_mut("actions").and_then(|a| a.as_array_mut()) {
        for (json, action) in actions.iter_mut().zip(&c.actions) {
            json["bound"] = serde_json::Value::Bool(action.is_bound());
        }
    }
    Ok(value)
}
