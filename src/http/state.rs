//! The one shared state of the server: cheap to clone (every part is an `Arc` or a pool).

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::connections::TokenCipher;
use crate::ranking::{Router, RoutingService};
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub cipher: Arc<TokenCipher>,
    pub router: Arc<Router>,
    /// The one way to route a request (rules, and the LLM when configured): handlers
    /// and the chat call this, not `router` directly.
    pub routing: Arc<RoutingService>,
}

impl AppState {
    pub fn new(settings: Settings, catalog: Arc<Catalog>, store: Store, cipher: TokenCipher) -> anyhow::Result<Self> {
        let router = Arc::new(Router::build(catalog.clone(), settings.router.max_prompt_chars)?);
        let routing = Arc::new(RoutingService::from_settings(router.clone(), &settings.llm)?);
        Ok(Self { settings: Arc::new(settings), catalog, store, cipher: Arc::new(cipher), router, routing })
    }
}
