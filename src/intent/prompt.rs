//! The prompt the LLM gets: the system prompt, our own few-shot examples and the answer
//! schema, all files under `prompts/` compiled into the binary. The version id is the
//! series name plus a hash of the three files, so any edit shows in `prompt_version` and
//! in the logs even when nobody bumps the series.

use super::model::{Decision, ModelError, ModelInput};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Bump when the prompt's meaning changes; the hash part changes on any edit anyway.
const SERIES: &str = "route-1";
const SYSTEM: &str = include_str!("../../prompts/route_system.md");
const EXAMPLES: &str = include_str!("../../prompts/route_examples.json");
const SCHEMA: &str = include_str!("../../prompts/route_schema.json");

/// The name the schema (and the tool, in the tool-call shape) goes by.
pub const ANSWER_NAME: &str = "route_decision";

pub struct Prompt {
    pub version: String,
    pub system: &'static str,
    /// (user message, assistant answer) pairs, both JSON text.
    pub examples: Vec<(String, String)>,
    pub schema: Value,
}

#[derive(Deserialize)]
struct Example {
    input: Value,
    answer: Value,
}

/// Built once. The files are part of the binary and a unit test parses them, so a
/// failure here is a build defect, not a runtime condition.
pub static PROMPT: LazyLock<Prompt> = LazyLock::new(|| {
    let examples: Vec<Example> = serde_json::from_str(EXAMPLES).expect("prompts/route_examples.json is valid");
    let schema: Value = serde_json::from_str(SCHEMA).expect("prompts/route_schema.json is valid");
    let mut hash = Sha256::new();
    for part in [SYSTEM, EXAMPLES, SCHEMA] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let short: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    Prompt {
        version: format!("{SERIES}.{short}"),
        system: SYSTEM,
        examples: examples.into_iter().map(|e| (e.input.to_string(), e.answer.to_string())).collect(),
        schema,
    }
});

/// The version id reported as `prompt_version`, e.g. `route-1.3fa09c12`.
pub fn version() -> &'static str {
    &PROMPT.version
}

/// The user message: the input as one compact JSON object.
pub fn user_message(input: &ModelInput) -> String {
    serde_json::to_string(input).unwrap_or_else(|_| String::from("{}"))
}

/// Reads an answer, in the message content or in a tool call's arguments. Local models
/// sometimes wrap JSON in a Markdown fence; that much leniency costs nothing.
pub fn parse_answer(text: &str) -> Result<Decision, ModelError> {
    let trimmed = text.trim();
    let unfenced = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.trim_end().strip_suffix("```"))
        .unwrap_or(trimmed);
    if unfenced.is_empty() {
        return Err(ModelError::BadAnswer("the answer is empty".into()));
    }
    serde_json::from_str(unfenced).map_err(|e| ModelError::BadAnswer(format!("the answer breaks the schema ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn the_prompt_files_parse_and_the_version_names_series_and_hash() {
        assert!(version().starts_with("route-1."), "{}", version());
        assert_eq!(version().len(), "route-1.".len() + 8);
        assert!(!PROMPT.examples.is_empty());
        assert_eq!(PROMPT.schema["type"], "object");
    }

    #[test]
    fn every_example_answer_follows_the_schema_and_uses_real_catalog_ids() {
        let catalog = Catalog::embedded().expect("catalog");
        for (_, answer) in &PROMPT.examples {
            let decision = parse_answer(answer).expect("example answer parses");
            for pick in &decision.selected {
                let c = catalog.get(&pick.connector).unwrap_or_else(|| panic!("unknown id {}", pick.connector));
                for op in &pick.actions {
                    let (id, local) = op.split_once('.').expect("full operation id");
                    assert_eq!(id, pick.connector);
                    assert!(c.operations().any(|o| o.id == local), "unknown operation {op}");
                }
            }
        }
    }

    #[test]
    fn fenced_answers_are_read_and_broken_ones_are_refused() {
        let json = r#"{"selected":[],"intent":{"trigger":{"kind":"none","text":"","connector":null,"operation":null},"actions":[],"data":[],"targets":[]},"reason":"no tool"}"#;
        assert!(parse_answer(&format!("```json\n{json}\n```")).is_ok());
        assert!(parse_answer(json).is_ok());
        let err = parse_answer(r#"{"selected": "gmail"}"#).unwrap_err();
        assert!(err.to_string().starts_with("bad_answer:"), "{err}");
        assert!(parse_answer("  ").is_err());
    }
}
