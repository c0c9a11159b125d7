//! `patchbay route`: one prompt, or a JSONL stream where every input line gets exactly one
//! output line (an `{"error": …}` line for a bad one) and the stream goes on. Routing goes
//! through the same `RoutingService` as the server: `--llm` forces the LLM, `--no-llm`
//! forbids it, and otherwise `llm.enabled` decides.

use super::RouteArgs;
use crate::app::AppStructure;
use crate::config::Settings;
use crate::intent::Lexicon;
use crate::ranking::{RouteError, RouteMode, RouteRequest, RouteResult, Router, RoutingService};
use anyhow::Context;
use serde_json::{Value, json};
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(settings: Settings, args: RouteArgs) -> anyhow::Result<ExitCode> {
    let mut log = settings.log.clone();
    if std::env::var_os("RUST_LOG").is_none() {
        log.level = "warn".into();
    }
    crate::telemetry::init(&log);
    if let Some(dir) = &args.lexicon {
        let lexicon =
            Lexicon::from_dir(dir).with_context(|| format!("cannot read the lexicon in {}", dir.display()))?;
        if !Lexicon::install(lexicon) {
            anyhow::bail!("the lexicon was already in use before --lexicon could replace it");
        }
    }
    let catalog = Arc::new(crate::load_catalog(&settings)?);
    let router = Arc::new(Router::build(catalog, settings.router.max_prompt_chars)?);
    let service = RoutingService::from_settings(router, &settings.llm)?;
    let mode = match (args.llm, args.no_llm, args.explain) {
        (_, _, true) => Mode::Explain,
        (true, _, _) => Mode::Route(RouteMode::Llm),
        (_, true, _) => Mode::Route(RouteMode::NoLlm),
        _ => Mode::Route(RouteMode::Default),
    };
    let runtime = super::runtime()?;
    if args.jsonl {
        runtime.block_on(stream(&service, mode))?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(prompt) = args.prompt else {
        anyhow::bail!("give a prompt, or --jsonl to read requests from standard input");
    };
    let app = match &args.app {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            AppStructure::parse_json(&text)?
        }
        None => AppStructure::default(),
    };
    let request = RouteRequest { prompt, app, chips: args.chips };
    match runtime.block_on(route(&service, mode, &request)) {
        Ok(result) => {
            println!("{}", serde_json::to_string_pretty(&result)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{}", json!({ "error": e.to_string() }));
            Ok(ExitCode::from(2))
        }
    }
}

/// Reads byte lines, so that a line of invalid UTF-8 is one error line, not the end.
/// Lines are answered one at a time, in order: with the LLM, the endpoint's own rate
/// limit is the bound, and a stream must not turn into a burst of 429s.
async fn stream(service: &RoutingService, mode: Mode) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let answer = answer_line(service, mode, &line).await;
        if let Some(answer) = answer {
            serde_json::to_writer(&mut out, &answer)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// How a command routes: through the service, or by the rules with their explanation.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Route(RouteMode),
    Explain,
}

async fn route(service: &RoutingService, mode: Mode, request: &RouteRequest) -> Result<RouteResult, RouteError> {
    match mode {
        Mode::Route(m) => service.route(request, m).await,
        Mode::Explain => service.router().route_explained(request),
    }
}

/// The output for one input line; `None` for a blank line.
pub async fn answer_line(service: &RoutingService, mode: Mode, raw: &[u8]) -> Option<Value> {
    let Ok(text) = std::str::from_utf8(raw) else {
        return Some(json!({ "error": "the line is not valid UTF-8" }));
    };
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Some(json!({ "error": format!("the line is not valid JSON: {e}") })),
    };
    let result = match RouteRequest::from_json(&value) {
        Ok(request) => route(service, mode, &request).await,
        Err(e) => Err(e),
    };
    Some(match result {
        Ok(result) => serde_json::to_value(result).unwrap_or_else(|e| json!({ "error": e.to_string() })),
        Err(e) => json!({ "error": e.to_string() }),
    })
}
