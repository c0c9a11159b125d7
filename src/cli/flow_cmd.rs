//! `patchbay flow draft | show | validate`: wire a request into a flow (or say what to ask
//! first), print a stored flow's current definition, or check a definition file against
//! the catalog (and an app structure) without a database.

use super::{DraftArgs, FlowCommand, apply_data_dir, runtime};
use crate::app::AppStructure;
use crate::config::Settings;
use crate::ranking::Router;
use crate::wiring::{self, FlowDefinition, draft::DraftRequest};
use anyhow::{Context, anyhow};
use serde_json::{Value, json};
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

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
        FlowCommand::Draft(args) => draft(&settings, args),
    }
}

fn draft(settings: &Settings, args: DraftArgs) -> anyhow::Result<ExitCode> {
    let catalog = Arc::new(crate::load_catalog(settings)?);
    let router = Router::build(catalog, settings.router.max_prompt_chars)?;
    let requester = args.requester.unwrap_or_default();
    if args.jsonl {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut out = BufWriter::new(std::io::stdout().lock());
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            if let Some(answer) = draft_line(&router, &requester, &line) {
                serde_json::to_writer(&mut out, &answer)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(prompt) = args.prompt else {
        anyhow::bail!("give a prompt, or --jsonl to read requests from standard input");
    };
    let app: Value = match &args.app {
        Some(path) => serde_json::from_str(&read(path)?).map_err(|e| anyhow!("{}: {e}", path.display()))?,
        None => json!({}),
    };
    let answer = answer(&router, &requester, &json!({"prompt": prompt, "app": app}));
    println!("{}", serde_json::to_string_pretty(&answer)?);
    Ok(if answer.get("error").is_some() { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// The output for one input line; `None` for a blank line, `{"error"}` for a bad one.
fn draft_line(router: &Router, requester: &str, raw: &[u8]) -> Option<Value> {
    let Ok(text) = std::str::from_utf8(raw) else {
        return Some(json!({ "error": "the line is not valid UTF-8" }));
    };
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(match serde_json::from_str::<Value>(text) {
        Ok(value) => answer(router, requester, &value),
        Err(e) => json!({ "error": format!("the line is not valid JSON: {e}") }),
    })
}

fn answer(router: &Router, requester: &str, value: &Value) -> Value {
    let drafted = DraftRequest::from_json(value).and_then(|request| {
        let route = router.route(&request.route)?;
        Ok(wiring::draft::draft_routed(router.catalog(), &request, &route, requester))
    });
    match drafted {
        Ok(d) => serde_json::to_value(d).unwrap_or_else(|e| json!({ "error": e.to_string() })),
        Err(e) => json!({ "error": e.to_string() }),
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
