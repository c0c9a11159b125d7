//! The one shared state of the server: cheap to clone (every part is an `Arc` or a pool).

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::connections::TokenCipher;
use crate::ranking::Router;
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub cipher: Arc<TokenCipher>,
    pub router: Arc<Router>,
}

impl AppState {
    pub fn new(settings: Settings, catalog: Arc<Catalog>, store: Store, cipher: TokenCipher) -> anyhow::Result<Self> {
        let router = Router::build(catalog.clone(), settings.router.max_prompt_chars)?;
        Ok(Self { settings: Arc::new(settings), catalog, store, cipher: Arc::new(cipher), router: Arc::new(router) })
    }
}
