//! How often `search_tools` puts an action of the right connector in its top 3, on the
//! routing dev sets' requests that need one tool and name it. Not a test: a measurement,
//! printed as one JSON object. It runs the same ranking the MCP server runs (the router's
//! rules, then the actions within each connector), without a server or an LLM.
//!
//! `cargo run --example measure_search_tools -- [EVAL_DIR]` (default `../shared/eval`).
//!
//! A row counts when its `expected` has exactly one slot and it names its tool: `named:
//! true` where the row says (the Zapier set); elsewhere, when the slot is one id rather
//! than a choice of several ("email me" → Gmail or Outlook does not name one). The
//! figure over every one-slot row is printed too.

use patchbay::catalog::Catalog;
use patchbay::mcp::search;
use patchbay::ranking::{RouteRequest, Router};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

const FILES: [&str; 3] = ["n8n_dev.jsonl", "base44_examples.jsonl", "zapier_dev.jsonl"];
const TOP: usize = 3;

#[derive(Default)]
struct Count {
    rows: usize,
    hits: usize,
    /// The expected connector's action came first.
    firsts: usize,
    all_rows: usize,
    all_hits: usize,
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).map_or_else(|| PathBuf::from("../shared/eval"), PathBuf::from);
    let catalog = Arc::new(Catalog::embedded()?);
    let router = Router::build(catalog.clone(), 4000)?;
    let mut per_file = serde_json::Map::new();
    let mut total = Count::default();
    let mut misses = Vec::new();
    for file in FILES {
        let text = std::fs::read_to_string(dir.join(file))
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.join(file).display()))?;
        let mut count = Count::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line)?;
            let Some([slot]) = row["expected"].as_array().map(Vec::as_slice) else { continue };
            let accepted = acceptable(slot);
            let names_it = match row.get("named") {
                Some(named) => named.as_bool() == Some(true),
                None => slot.is_string(),
            };
            let Ok(request) = RouteRequest::from_json(&row) else { continue };
            let route = router.route(&request)?;
            let top: Vec<String> = search::found(&catalog, &route, &request.prompt, TOP)
                .iter()
                .map(|f| f.connector.id.to_string())
                .collect();
            let hit = top.iter().any(|c| accepted.contains(c));
            count.all_rows += 1;
            count.all_hits += usize::from(hit);
            if names_it {
                count.rows += 1;
                count.hits += usize::from(hit);
                count.firsts += usize::from(top.first().is_some_and(|c| accepted.contains(c)));
                if !hit {
                    misses.push(json!({"id": row["id"], "expected": slot, "top": top}));
                }
            }
        }
        per_file.insert(file.to_owned(), summary(&count));
        total.rows += count.rows;
        total.hits += count.hits;
        total.firsts += count.firsts;
        total.all_rows += count.all_rows;
        total.all_hits += count.all_hits;
    }
    let out = json!({
        "measure": "an action of the expected connector in search_tools' top 3",
        "named_one_slot": summary(&total),
        "files": per_file,
        "misses": misses,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// The connector ids a slot accepts; `slack` accepts `slack_bot` too.
fn acceptable(slot: &Value) -> Vec<String> {
    let mut ids: Vec<String> = match slot {
        Value::String(id) => vec![id.clone()],
        Value::Array(ids) => ids.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    if ids.iter().any(|id| id == "slack") {
        ids.push("slack_bot".into());
    }
    ids
}

fn summary(c: &Count) -> Value {
    let share = |hits: usize, rows: usize| if rows == 0 { 0.0 } else { hits as f64 / rows as f64 };
    json!({
        "rows": c.rows,
        "in_top_3": c.hits,
        "share": (share(c.hits, c.rows) * 1000.0).round() / 1000.0,
        "first_share": (share(c.firsts, c.rows) * 1000.0).round() / 1000.0,
        "all_one_slot_rows": c.all_rows,
        "all_one_slot_share": (share(c.all_hits, c.all_rows) * 1000.0).round() / 1000.0,
    })
}
