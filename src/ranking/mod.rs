//! Ranking: which connectors a request needs, and why. Names typed in the request come
//! first; then what the wording asks for ("email me" → an email tool), resolved to one
//! provider per need by what the app already has, the homepage chips, and popularity;
//! BM25 over the catalog ranks everything else. An optional LLM refines that answer
//! through [`RoutingService`], the one entry point the API, the CLI and the chat use.

mod cache;
mod confidence;
mod index;
mod merge_intent;
mod names;
mod operations;
mod providers;
mod refine;
mod request;
mod roles;
mod select;
mod service;
mod slots;

pub use index::CatalogIndex;
pub use refine::{CANDIDATES, input as model_input};
pub use request::{
    Ask, DecidedBy, Explain, ExplainedEntry, ExplainedSlot, LlmNote, Ranked, Role, RouteError, RouteRequest,
    RouteResult, Selected,
};
pub use service::{RouteMode, RoutingService};

use crate::app::AppStructure;
use crate::catalog::Catalog;
use crate::intent::{Analysis, Lexicon, words_for_app};
use names::NameIndex;
use providers::Providers;
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

/// Built once at start; `route` is then read-only and safe to share across threads.
pub struct Router {
    catalog: Arc<Catalog>,
    /// How requests are read: the lexicon every `Analysis` uses too.
    lexicon: &'static Lexicon,
    index: CatalogIndex,
    names: NameIndex,
    /// Connectors that do each kind of work, in the order a need tries them.
    providers: Providers,
    /// Per connector, the words of each operation (see `operations::words_of_operations`).
    op_words: Vec<Vec<HashSet<String>>>,
    /// Per connector, the singular words of its operations' names only ("card" for
    /// Trello's "Create a card"): the things it is made to handle.
    name_words: Vec<HashSet<String>>,
    /// Every connector, most popular first: fills the ranking when signals run short.
    popular: Vec<usize>,
    max_prompt_chars: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the catalog index: {0}")]
pub struct BuildError(#[from] tantivy::TantivyError);

impl Router {
    pub fn build(catalog: Arc<Catalog>, max_prompt_chars: usize) -> Result<Self, BuildError> {
        let lexicon = Lexicon::global();
        let index = CatalogIndex::build(&catalog, lexicon)?;
        let names = NameIndex::build(&catalog, lexicon);
        let op_words: Vec<Vec<HashSet<String>>> = catalog.iter().map(operations::words_of_operations).collect();
        let name_words: Vec<HashSet<String>> = catalog.iter().map(operations::words_of_names).collect();
        let all_words: Vec<HashSet<String>> = op_words
            .iter()
            .zip(&name_words)
            .map(|(ops, names)| ops.iter().flatten().chain(names).cloned().collect())
            .collect();
        let providers = Providers::build(&catalog, lexicon, &names, &all_words, &name_words);
        let popularity: Vec<u8> = catalog.iter().map(|c| c.popularity).collect();
        let mut popular: Vec<usize> = (0..catalog.len()).collect();
        popular.sort_by(|a, b| popularity[*b].cmp(&popularity[*a]).then(a.cmp(b)));
        Ok(Self { catalog, lexicon, index, names, providers, op_words, name_words, popular, max_prompt_chars })
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    pub fn max_prompt_chars(&self) -> usize {
        self.max_prompt_chars
    }

    /// Checks the request, reads its intent, and decides.
    pub fn route(&self, request: &RouteRequest) -> Result<RouteResult, RouteError> {
        self.decide(request, false)
    }

    /// As `route`, with `explain` set: the lexicon entries that fired and every candidate
    /// with its signals and confidence (`patchbay route --explain`).
    pub fn route_explained(&self, request: &RouteRequest) -> Result<RouteResult, RouteError> {
        self.decide(request, true)
    }

    fn decide(&self, request: &RouteRequest, explain: bool) -> Result<RouteResult, RouteError> {
        let prompt = request.prompt.trim();
        if prompt.is_empty() {
            return Err(RouteError::EmptyPrompt);
        }
        let chars = prompt.chars().count();
        if chars > self.max_prompt_chars {
            return Err(RouteError::PromptTooLong { chars, limit: self.max_prompt_chars });
        }
        let chips = self.ids(&request.chips, "chips")?;
        let connected = self.ids(&request.app.connected, "app.connected")?;
        let analysis = Analysis::new(prompt, &request.app);
        let hits = self.index.search(prompt, 24);
        let reading = slots::Reading {
            router: self,
            a: &analysis,
            app: &request.app,
            chips: &chips,
            connected: &connected,
            hits: &hits,
        };
        Ok(select::decide(&reading, explain))
    }

    /// Connector ids the request names and asks for (not "without Slack", not "like
    /// Notion"), in the order typed. The LLM may select one of these even when the
    /// ranking left it out of the candidates: the builder's own words point at it.
    pub fn named_connectors(&self, prompt: &str, app: &AppStructure) -> Vec<String> {
        let a = Analysis::new(prompt, app);
        let mut ids: Vec<String> = Vec::new();
        for m in self.names.find(&a.text, self.lexicon, a.lang, a.schedule_spans(), &words_for_app(app)) {
            if m.is_not_asked_for(&a.text, a.lang) {
                continue;
            }
            if let Some(c) = self.catalog.iter().nth(m.connector) {
                let id = c.id.to_string();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }

    fn ids(&self, ids: &[String], place: &'static str) -> Result<Vec<usize>, RouteError> {
        ids.iter()
            .map(|id| {
                let id = id.trim().to_lowercase();
                self.catalog.index_of(&id).ok_or(RouteError::UnknownConnector { id, place })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod unnamed_more_tests;
#[cfg(test)]
mod unnamed_tests;
#[cfg(test)]
mod unnamed_wording_tests;
