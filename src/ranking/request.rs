//! What `route` takes and gives (DESIGN.md, "patchbay route"), and the checks on input:
//! every bad input gets an error a person can act on, never a panic.

use crate::app::{AppStructure, StructureError};
use crate::intent::Intent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One routing request: `{"prompt": str, "app"?: AppStructure, "chips"?: [id]}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouteRequest {
    pub prompt: String,
    pub app: AppStructure,
    pub chips: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("the prompt is empty: say what the app should do")]
    EmptyPrompt,
    #[error("the prompt is {chars} characters long; the limit is {limit}")]
    PromptTooLong { chars: usize, limit: usize },
    #[error("unknown connector '{id}' in {place}")]
    UnknownConnector { id: String, place: &'static str },
    #[error(transparent)]
    App(#[from] StructureError),
    #[error("{0}")]
    Malformed(String),
}

impl RouteRequest {
    pub fn new(prompt: impl Into<String>) -> Self {
        Self { prompt: prompt.into(), ..Self::default() }
    }

    /// Reads the JSON object of a `--jsonl` line or an API body.
    pub fn from_json(value: &Value) -> Result<Self, RouteError> {
        let Value::Object(map) = value else {
            return Err(RouteError::Malformed("expected a JSON object with a \"prompt\"".into()));
        };
        let prompt = match map.get("prompt") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(RouteError::Malformed("\"prompt\" must be a string".into())),
            None => return Err(RouteError::Malformed("missing \"prompt\"".into())),
        };
        let app = match map.get("app") {
            None | Some(Value::Null) => AppStructure::default(),
            Some(v) => AppStructure::from_value(v)?,
        };
        let chips = match map.get("chips") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|c| {
                    c.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| RouteError::Malformed("\"chips\" must be a list of connector ids".into()))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(RouteError::Malformed("\"chips\" must be a list of connector ids".into())),
        };
        Ok(Self { prompt, app, chips })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selected {
    pub connector: String,
    /// `trigger` (the flow starts from it), `source` (data is read from it) or `action`.
    pub role: Role,
    pub score: f32,
    /// The catalog operations the request asks of it, e.g. `gmail.send_email`.
    #[serde(default)]
    pub actions: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Trigger,
    Source,
    Action,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub connector: String,
    pub score: f32,
    pub why: Vec<String>,
}

/// Which path decided the answer: the offline rules, or the LLM after its answer passed
/// the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    Rules,
    Llm,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteResult {
    pub selected: Vec<Selected>,
    pub ranked: Vec<Ranked>,
    pub intent: Intent,
    pub decided_by: DecidedBy,
    /// Why the LLM's answer was not used, when it was asked and failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fallback_reason: Option<String>,
    /// The LLM prompt version, when the LLM was asked.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prompt_version: Option<String>,
    /// What the LLM said and what of it was refused, when its answer was used.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub llm: Option<LlmNote>,
    /// Questions for the builder where the router is unsure (DESIGN.md, "asking when
    /// unsure"): `selected` holds only what it is sure of.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub asks: Vec<Ask>,
    /// How the rules read the request (`patchbay route --explain` only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explain: Option<Explain>,
}

/// One question: a kind of work the request may need, and the tools that could do it,
/// best first (at most four). The chat shows one button per option; choosing none of
/// them is always possible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ask {
    pub need: String,
    pub question: String,
    pub options: Vec<String>,
}

/// The lexicon entries that fired and every candidate slot the rules weighed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Explain {
    pub language: String,
    pub entries: Vec<ExplainedEntry>,
    pub slots: Vec<ExplainedSlot>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExplainedEntry {
    pub entry: String,
    #[serde(rename = "for")]
    pub purpose: String,
    pub text: String,
    pub effect: String,
}

/// A connector the request names, or a need with the tools that could do it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExplainedSlot {
    /// "named" or the need's kind of work.
    pub kind: String,
    /// The lexicon entry that found the need, or that made the words a tool.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub entry: Option<String>,
    pub text: String,
    pub options: Vec<String>,
    pub features: std::collections::BTreeMap<String, f32>,
    pub confidence: f32,
    /// "selected", "asked" or "dropped".
    pub decision: String,
}

/// The LLM's side of an answer it decided: which model, its short reason, and the parts
/// of its answer that failed the checks (unknown ids, tools outside the candidates).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LlmNote {
    pub model: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dropped: Vec<String>,
}

impl RouteResult {
    pub fn selected_ids(&self) -> Vec<&str> {
        self.selected.iter().map(|s| s.connector.as_str()).collect()
    }
}
