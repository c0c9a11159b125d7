//! The one way to route a request: the API, `patchbay route` and the chat all call
//! [`RoutingService::route`]. The offline router always answers first — it checks the
//! input and is the floor. When the LLM is in play, its checked answer replaces the
//! router's; when it fails, is slow, or says nothing usable, the router's answer goes out
//! unchanged with the reason (`fallback_reason`). Both answers are remembered for
//! identical requests: the same request is routed again and again (a chip's prompt, a
//! retried call, a chat turn sent twice), and the rules answer never changes while the
//! process runs.

use super::Router;
use super::cache::DecisionCache;
use super::refine::{self, Allowed};
use super::request::{RouteError, RouteRequest, RouteResult};
use crate::config::LlmSettings;
use crate::intent::model::IntentModel;
use crate::intent::openai::{LlmSetupError, OpenAiModel};
use std::sync::Arc;
use std::time::Instant;

/// Whether a call may use the LLM.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RouteMode {
    /// As the settings say (`llm.enabled`): the chat and the API use this.
    #[default]
    Default,
    /// Ask the LLM even if it is not enabled by default (`patchbay route --llm`).
    Llm,
    /// Rules only (`patchbay route --no-llm`).
    NoLlm,
}

impl RouteMode {
    /// From an explicit yes/no (a flag pair, a query parameter); none means the default.
    pub fn from_choice(llm: Option<bool>) -> Self {
        match llm {
            Some(true) => Self::Llm,
            Some(false) => Self::NoLlm,
            None => Self::Default,
        }
    }
}

pub struct RoutingService {
    router: Arc<Router>,
    model: Option<Arc<dyn IntentModel>>,
    by_default: bool,
    cache: DecisionCache,
    rules_cache: DecisionCache,
}

impl std::fmt::Debug for RoutingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutingService")
            .field("model", &self.model.as_ref().map(|m| (m.name(), m.model().unwrap_or(""))))
            .field("by_default", &self.by_default)
            .field("cached", &self.cache.len())
            .field("rules_cached", &self.rules_cache.len())
            .finish_non_exhaustive()
    }
}

impl RoutingService {
    /// The offline router alone, without a cache.
    pub fn rules_only(router: Arc<Router>) -> Self {
        Self {
            router,
            model: None,
            by_default: false,
            cache: DecisionCache::new(0),
            rules_cache: DecisionCache::new(0),
        }
    }

    /// Remember this many rules answers (`router.cache_entries`).
    pub fn remembering(mut self, rules_answers: usize) -> Self {
        self.rules_cache = DecisionCache::new(rules_answers);
        self
    }

    /// Any model behind the seam (tests plug in their own).
    pub fn with_model(
        router: Arc<Router>,
        model: Arc<dyn IntentModel>,
        by_default: bool,
        cache_entries: usize,
    ) -> Self {
        Self {
            router,
            model: Some(model),
            by_default,
            cache: DecisionCache::new(cache_entries),
            rules_cache: DecisionCache::new(0),
        }
    }

    /// The OpenAI-compatible model the settings describe. It is built even when not
    /// enabled, so that `--llm` can force it; a bad `base_url` is an error only when the
    /// LLM is enabled.
    pub fn from_settings(router: Arc<Router>, settings: &LlmSettings) -> Result<Self, LlmSetupError> {
        match OpenAiModel::new(settings) {
            Ok(model) => {
                tracing::debug!(endpoint = model.endpoint(), model = %settings.model, enabled = settings.enabled, "LLM configured");
                Ok(Self::with_model(router, Arc::new(model), settings.enabled, settings.cache_entries))
            }
            Err(e) if settings.enabled => Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "the LLM settings are unusable; routing with the rules only");
                Ok(Self::rules_only(router))
            }
        }
    }

    pub fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// True when a call in the default mode asks the LLM ("the chat uses the LLM when it
    /// is configured").
    pub fn llm_by_default(&self) -> bool {
        self.by_default && self.model.is_some()
    }

    /// Decides a request. Errors are only the router's input errors; a failing LLM is
    /// never an error, it is a rules answer with a `fallback_reason`.
    pub async fn route(&self, request: &RouteRequest, mode: RouteMode) -> Result<RouteResult, RouteError> {
        let offline = self.route_by_rules(request)?;
        let wanted = match mode {
            RouteMode::NoLlm => false,
            RouteMode::Llm => true,
            RouteMode::Default => self.by_default,
        };
        if !wanted {
            return Ok(offline);
        }
        let Some(model) = &self.model else {
            return Ok(fallback(offline, "not_configured: no LLM is configured (see docs/llm.md)".into(), None));
        };
        let version = model.prompt_version();
        let label = model.model().unwrap_or(model.name());
        let key = DecisionCache::key(request, label, version.unwrap_or(""));
        if let Some(hit) = self.cache.get(&key) {
            tracing::info!(model = label, prompt_version = version, decided_by = "llm", cached = true, "routed");
            return Ok(hit);
        }

        let started = Instant::now();
        let catalog = self.router.catalog();
        let input = refine::input(catalog, request, &offline);
        let outcome = model.decide(&input).await.and_then(|decision| {
            let named = self.router.named_connectors(&request.prompt, &request.app);
            let allowed =
                Allowed { candidates: input.candidates.iter().map(|c| c.id.as_str()).collect(), named: &named };
            refine::apply(catalog, &request.app, &offline, decision, &allowed, label)
        });
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(mut result) => {
                result.prompt_version = version.map(str::to_owned);
                let dropped = result.llm.as_ref().map_or(0, |n| n.dropped.len());
                tracing::info!(
                    model = label,
                    prompt_version = version,
                    decided_by = "llm",
                    elapsed_ms,
                    dropped,
                    selected = ?result.selected_ids(),
                    "routed"
                );
                self.cache.insert(key, result.clone());
                Ok(result)
            }
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(
                    model = label,
                    prompt_version = version,
                    decided_by = "rules",
                    elapsed_ms,
                    fallback_reason = %reason,
                    "routed by the rules: the LLM's answer was not used"
                );
                Ok(fallback(offline, reason, version))
            }
        }
    }

    /// The offline router's answer, remembered. Only answers are kept: a refused
    /// request is refused again each time.
    fn route_by_rules(&self, request: &RouteRequest) -> Result<RouteResult, RouteError> {
        if self.rules_cache.capacity() == 0 {
            return self.router.route(request);
        }
        let key = DecisionCache::key(request, "rules", "");
        if let Some(hit) = self.rules_cache.get(&key) {
            return Ok(hit);
        }
        let answer = self.router.route(request)?;
        self.rules_cache.insert(key, answer.clone());
        Ok(answer)
    }
}

fn fallback(mut offline: RouteResult, reason: String, version: Option<&str>) -> RouteResult {
    offline.fallback_reason = Some(reason);
    offline.prompt_version = version.map(str::to_owned);
    offline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::intent::model::RulesModel;
    use crate::ranking::DecidedBy;
    use std::sync::LazyLock;

    static ROUTER: LazyLock<Arc<Router>> = LazyLock::new(|| {
        Arc::new(Router::build(Arc::new(Catalog::embedded().expect("catalog")), 4000).expect("router"))
    });

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(f)
    }

    #[test]
    fn the_rules_model_through_the_seam_reproduces_the_routers_selection() {
        let service = RoutingService::with_model(ROUTER.clone(), Arc::new(RulesModel), true, 0);
        for prompt in [
            "When a deal closes in HubSpot, create an Asana project and tell #sales",
            "email me a summary of overdue tasks every morning",
            "make the header sticky",
            "Log each new order as a row in Google Sheets",
        ] {
            let request = RouteRequest::new(prompt);
            let offline = ROUTER.route(&request).expect("route");
            let seam = block_on(service.route(&request, RouteMode::Default)).expect("route");
            assert_eq!(seam.decided_by, DecidedBy::Llm, "{prompt}");
            assert_eq!(seam.selected, offline.selected, "{prompt}");
            assert_eq!(seam.ranked.len(), offline.ranked.len());
        }
    }

    #[test]
    fn without_a_model_forcing_the_llm_says_why_and_answers_with_the_rules() {
        let service = RoutingService::rules_only(ROUTER.clone());
        let request = RouteRequest::new("email me the weekly numbers");
        let forced = block_on(service.route(&request, RouteMode::Llm)).unwrap();
        assert_eq!(forced.decided_by, DecidedBy::Rules);
        assert!(forced.fallback_reason.unwrap().starts_with("not_configured:"));
        let plain = block_on(service.route(&request, RouteMode::Default)).unwrap();
        assert_eq!(plain, ROUTER.route(&request).unwrap());
    }

    #[test]
    fn a_remembered_answer_is_the_routers_own_and_belongs_to_its_app() {
        let service = RoutingService::rules_only(ROUTER.clone()).remembering(4);
        let request = RouteRequest::new("email me the open tasks every morning");
        let mut connected = request.clone();
        connected.app.connected = vec!["outlook".into()];
        assert_ne!(ROUTER.route(&request).unwrap().selected, ROUTER.route(&connected).unwrap().selected);
        for _ in 0..2 {
            for r in [&request, &connected] {
                assert_eq!(block_on(service.route(r, RouteMode::NoLlm)).unwrap(), ROUTER.route(r).unwrap());
            }
        }
        assert_eq!(service.rules_cache.len(), 2);
        let mut unknown_chip = request.clone();
        unknown_chip.chips = vec!["no-such-tool".into()];
        for _ in 0..2 {
            assert!(matches!(
                block_on(service.route(&unknown_chip, RouteMode::NoLlm)),
                Err(RouteError::UnknownConnector { .. })
            ));
        }
    }

    #[test]
    fn bad_input_is_still_an_error_before_any_model_is_asked() {
        let service = RoutingService::with_model(ROUTER.clone(), Arc::new(RulesModel), true, 8);
        let err = block_on(service.route(&RouteRequest::new("   "), RouteMode::Llm)).unwrap_err();
        assert_eq!(err, RouteError::EmptyPrompt);
    }
}
