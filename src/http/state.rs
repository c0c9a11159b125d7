//! The one shared state of the server. Every middleware layer and handler clones it for
//! each request, so it is one `Arc`: a clone is one reference count, not fifteen.

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::connections::{Connections, TokenCipher};
use crate::http::guard::rate::RateLimits;
use crate::oauth::OAuth;
use crate::oauth::http::ProviderHttp;
use crate::ranking::{Router, RoutingService};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

pub struct Parts {
    pub settings: Arc<Settings>,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub cipher: Arc<TokenCipher>,
    pub router: Arc<Router>,
    pub oauth: OAuth,
    pub connections: Arc<Connections>,
    /// The one way to route a request (rules, and the LLM when configured): handlers
    /// and the chat call this, not `router` directly.
    pub routing: Arc<RoutingService>,
    /// Request rates per address and per key; `None` when turned off.
    pub rate_limits: Option<Arc<RateLimits>>,
    /// Runs flows: schedules, events, the queue.
    pub runner: Arc<crate::runner::Runner>,
    /// The chat's conversation as last drawn, per app, page and viewer.
    pub chat_cache: crate::http::pages::chat_cache::ChatCache,
}

impl AppState {
    pub fn new(settings: Settings, catalog: Arc<Catalog>, store: Store, cipher: TokenCipher) -> anyhow::Result<Self> {
        let router = Arc::new(Router::build(catalog.clone(), settings.router.max_prompt_chars)?);
        let routing = Arc::new(
            RoutingService::from_settings(router.clone(), &settings.llm)?.remembering(settings.router.cache_entries),
        );
        let settings = Arc::new(settings);
        let cipher = Arc::new(cipher);
        let t = &settings.tokens;
        let ca = match &t.ca_file {
            Some(path) => Some(
                std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read the CA file {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let timeouts = (Duration::from_millis(t.http_connect_timeout_ms), Duration::from_millis(t.http_timeout_ms));
        let http = ProviderHttp::new(timeouts.0, timeouts.1, ca.as_deref())?;
        let oauth = OAuth {
            http,
            settings: settings.clone(),
            catalog: catalog.clone(),
            store: store.clone(),
            cipher: cipher.clone(),
        };
        let connections = Arc::new(Connections::new(oauth.clone()));
        let rate_limits = RateLimits::new(&settings.rate_limit).map(Arc::new);
        let actions = Arc::new(crate::actions::Runner::new(oauth.clone(), connections.clone()));
        let runner = Arc::new(crate::runner::Runner::new(&settings, store.clone(), cipher.clone(), actions)?);
        Ok(Self(Arc::new(Parts {
            settings,
            catalog,
            store,
            cipher,
            router,
            routing,
            oauth,
            connections,
            rate_limits,
            runner,
            chat_cache: Default::default(),
        })))
    }
}
