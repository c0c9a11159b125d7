//! Intent: what a request asks for — when (a schedule or an event), what (verbs and
//! objects, mapped to catalog capabilities), with which data (the app's entities, fields
//! and pages) and for whom (channels, people, teams). The rule parser here is
//! deterministic and needs no network; `model` is the seam where an LLM (`openai`, with
//! its `prompt`) can decide instead, checked by the routing service before use.

pub mod data;
pub mod event;
pub mod lexicon;
pub mod model;
pub mod needs;
pub mod openai;
pub mod prompt;
pub mod schedule;
pub mod targets;
pub mod text;
pub mod zone;

use crate::app::AppStructure;
use crate::catalog::Capability;
use serde::{Deserialize, Serialize};

pub use data::{DataRef, words_for_app};
pub use event::{Change, Event};
pub use lexicon::Lexicon;
pub use model::{Decision, IntentModel, ModelError, ModelInput, RulesModel};
pub use needs::{Need, NeedRole, Strength};
pub use openai::{LlmSetupError, OpenAiModel};
pub use schedule::{Cadence, Schedule};
pub use targets::Target;
pub use text::Text;

/// The parsed request, as the route output and the flow wiring use it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub trigger: Option<Trigger>,
    pub actions: Vec<IntentAction>,
    pub data: Vec<DataRef>,
    pub targets: Vec<Target>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    Schedule(Schedule),
    Event {
        #[serde(flatten)]
        event: Event,
        /// The app entity that changes, when the event is about the app's own data.
        #[serde(skip_serializing_if = "Option::is_none")]
        entity: Option<String>,
        /// The connector the event comes from ("when a HubSpot deal closes").
        #[serde(skip_serializing_if = "Option::is_none")]
        connector: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        operation: Option<String>,
    },
}

/// One thing the request wants done: a verb and an object, the kind of work, and — once
/// the ranking has chosen — the connector and catalog operation that do it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntentAction {
    pub verb: String,
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability: Option<Capability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// Full operation id, e.g. `gmail.send_email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    pub text: String,
}

/// Everything read from a request, kept with its spans for the ranking step.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub text: Text,
    pub schedule: Option<schedule::Found>,
    pub event: Option<Event>,
    pub needs: Vec<Need>,
    pub data: Vec<DataRef>,
    pub targets: Vec<Target>,
    /// The lexicon language the request is written in (English unless another fits better).
    pub lang: &'static lexicon::Language,
    /// Lexicon entries that cancelled a reading (`--explain`).
    pub fired: Vec<lexicon::Fired>,
}

impl Analysis {
    pub fn new(prompt: &str, app: &AppStructure) -> Self {
        let text = Text::new(prompt);
        let lexicon = Lexicon::global();
        let lang = lexicon.detect(&text);
        let schedule = schedule::find(&text.lower);
        let event = event::find_folded(&text.lower, &text.original);
        let mut fired = Vec::new();
        let needs = needs::find(&text, lexicon, lang, &mut fired);
        let targets = targets::find(&text);
        let schedule_spans = schedule.as_ref().map(|s| s.spans.clone()).unwrap_or_default();
        let data = data::find(&text, app, &schedule_spans);
        Self { text, schedule, event, needs, data, targets, lang, fired }
    }

    /// Byte spans that are time expressions ("every Monday"): not names, not data.
    pub fn schedule_spans(&self) -> &[(usize, usize)] {
        self.schedule.as_ref().map(|s| s.spans.as_slice()).unwrap_or(&[])
    }

    /// The intent before connectors are chosen: actions come from the needs.
    pub fn intent(&self, app: &AppStructure) -> Intent {
        let trigger = match (&self.event, &self.schedule) {
            (Some(event), _) => Some(Trigger::Event {
                entity: event.subject.as_deref().and_then(|s| data::resolve_entity(s, app)),
                event: event.clone(),
                connector: None,
                operation: None,
            }),
            (None, Some(found)) => Some(Trigger::Schedule(found.schedule.clone())),
            (None, None) => None,
        };
        let actions = self
            .needs
            .iter()
            .map(|n| IntentAction {
                verb: n.verb.clone(),
                object: n.object.clone(),
                capability: Some(n.capability),
                connector: None,
                operation: None,
                text: n.text.clone(),
            })
            .collect();
        Intent { trigger, actions, data: self.data.clone(), targets: self.targets.clone() }
    }
}
