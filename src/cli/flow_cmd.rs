//! `patchbay flow show | validate`: print a stored flow's current definition, or check a
//! definition file against the catalog (and an app structure) without a database.

use super::{FlowCommand, apply_data_dir, runtime};
use crate::app::AppStructure;
use crate::config::Settings;
use crate::wiring::{self, FlowDefinition};
use anyhow::{Context, anyhow};
use std::path::Path;
use std::process::ExitCode;

pub fn run(mut settings: Settings, cmd: FlowCommand) -> anyhow::Result<ExitCode> {
    let mut log = settings.log.clone();
    if std::env::var_os("RUST_LOG").is_none() {
        log.level = "warn".into();
    }
    crate::telemetry::init(&log);
    match cmd {
        FlowCommand::Show { id, data } => {
            apply_data_dir(&mut settings, &data);
            show(&settings, id)
        }
        FlowCommand::Validate { file, app } => validate(&settings, &file, app.as_deref()),
    }
}

fn show(settings: &Settings, id: i64) -> anyhow::Result<ExitCode> {
    // Showing must not create an empty database where there was none.
    let db = settings.data_dir.join("patchbay.db");
    if settings.database_url.is_none() && !db.exists() {
        anyhow::bail!("no database at {} (give --data-dir, or run `patchbay migrate` first)", db.display());
    }
    runtime()?.block_on(async {
        crate::startup::install_crypto_provider();
        let store = crate::startup::open_store(settings).await?;
        let flow = wiring::load(&store, id).await;
        store.close().await;
        let flow = flow?.ok_or_else(|| anyhow!("no flow with id {id}"))?;
        eprintln!("flow {id} · version {} · {}", flow.row.version, flow.row.status);
        println!("{}", flow.definition.to_json_pretty());
        Ok(ExitCode::SUCCESS)
    })
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn validate(settings: &Settings, file: &Path, app: Option<&Path>) -> anyhow::Result<ExitCode> {
    let def = FlowDefinition::from_json(&read(file)?).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let app = match app {
        Some(path) => Some(AppStructure::parse_json(&read(path)?).map_err(|e| anyhow!("{}: {e}", path.display()))?),
        None => None,
    };
    let catalog = crate::load_catalog(settings)?;
    let report = wiring::validate(&def, &catalog, app.as_ref(), None);
    if !report.is_valid() {
        println!("{}: {} problem(s) in \"{}\":", file.display(), report.problems.len(), def.name);
        for problem in &report.problems {
            println!("  - {problem}");
        }
        return Ok(ExitCode::FAILURE);
    }
    println!("{}: \"{}\" is valid", file.display(), def.name);
    for (connector, scopes) in &report.needs {
        let list: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let list = if list.is_empty() { "a connection (no scopes)".to_owned() } else { list.join(", ") };
        println!("  needs {connector}: {list}");
    }
    for label in &report.unset_settings {
        println!("  to choose before activating: {label}");
    }
    if app.is_none() {
        println!("  entities and fields were not checked: give --app FILE with the app's structure");
    }
    Ok(ExitCode::SUCCESS)
}
