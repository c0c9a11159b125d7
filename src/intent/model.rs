//! The seam between the deterministic rules and a language model (DESIGN.md: "trait
//! IntentModel"). Both answer the same question in the same shape, a [`Decision`]: which
//! connectors, in which role, with which operations, and what the intent is. The routing
//! service checks any `Decision` before use, so a model can be wrong but never unsafe.

use crate::app::AppStructure;
use crate::ranking::Role;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a model is shown: the request and its context, and only the connectors the
/// offline router ranked highest (never the whole catalog: the prompt stays small and
/// the model cannot wander to tools nobody's words point at).
#[derive(Clone, Debug, Serialize)]
pub struct ModelInput {
    pub request: String,
    pub app: AppStructure,
    pub connected: Vec<String>,
    pub chips: Vec<String>,
    pub candidates: Vec<CandidateInfo>,
    /// The offline router's own decision, as a hint for the model and as the rules
    /// model's answer.
    pub router_pick: Vec<Pick>,
    /// The offline router's whole answer in the model's shape.
    #[serde(skip)]
    pub rules: Decision,
}

/// One candidate connector with what it can do and the scopes each operation needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CandidateInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub actions: Vec<OperationInfo>,
    pub triggers: Vec<OperationInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OperationInfo {
    /// Full id, e.g. `gmail.send_email`: the form the answer must use.
    pub id: String,
    pub name: String,
    pub description: String,
    pub scopes: Vec<String>,
}

/// A model's answer; its JSON form is `prompts/route_schema.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub selected: Vec<Pick>,
    pub intent: IntentSketch,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    pub connector: String,
    pub role: Role,
    pub actions: Vec<String>,
}

/// The intent as a model can state it: plain words, resolved against the app and the
/// catalog by the routing service (schedules get their cron from the rule parser).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntentSketch {
    pub trigger: TriggerSketch,
    pub actions: Vec<ActionSketch>,
    pub data: Vec<String>,
    pub targets: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerSketch {
    pub kind: TriggerKind,
    pub text: String,
    pub connector: Option<String>,
    pub operation: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    #[default]
    None,
    Schedule,
    Event,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionSketch {
    pub verb: String,
    pub object: String,
    pub connector: Option<String>,
    pub operation: Option<String>,
}

/// Why a model gave no usable answer. Each becomes the `fallback_reason` of a rules
/// answer, so the messages are short, stable at their start (`timeout:`, `rate_limited:`
/// …) and never carry the provider's response text or any credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("timeout: the model did not answer within {ms} ms")]
    Timeout { ms: u64 },
    #[error("rate_limited: the model endpoint answered 429{}", retry_note(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("server_error: the model endpoint answered {status}")]
    Server { status: u16 },
    #[error("refused: the model endpoint answered {status} (check llm.base_url, llm.model and llm.api_key)")]
    Refused { status: u16 },
    #[error("unreachable: could not reach the model endpoint")]
    Unreachable,
    #[error("bad_answer: {0}")]
    BadAnswer(String),
}

fn retry_note(after: &Option<Duration>) -> String {
    after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default()
}

impl ModelError {
    /// Worth one more try within the budget: the endpoint may answer the next time.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Server { .. } | Self::Unreachable)
    }
}

/// A way to decide a routing request. Object-safe (boxed futures) so the routing
/// service can hold whichever one the settings configure.
pub trait IntentModel: Send + Sync {
    /// Short name for logs: `rules`, `openai`.
    fn name(&self) -> &'static str;

    /// The model id as the endpoint knows it, when there is one (part of the cache key).
    fn model(&self) -> Option<&str> {
        None
    }

    /// The prompt version id, when a prompt is involved (reported in `prompt_version`).
    fn prompt_version(&self) -> Option<&str> {
        None
    }

    fn decide<'a>(&'a self, input: &'a ModelInput) -> BoxFuture<'a, Result<Decision, ModelError>>;
}

/// The deterministic floor: answers with the offline router's own decision. Applying
/// its answer reproduces the router's selection, which the tests check.
#[derive(Clone, Copy, Debug, Default)]
pub struct RulesModel;

impl IntentModel for RulesModel {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn decide<'a>(&'a self, input: &'a ModelInput) -> BoxFuture<'a, Result<Decision, ModelError>> {
        Box::pin(std::future::ready(Ok(input.rules.clone())))
    }
}
