//! The one shared state of the server: cheap to clone (every part is an `Arc` or a pool).

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::connections::TokenCipher;
use crate::store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub cipher: Arc<TokenCipher>,
}

impl AppState {
    pub fn new(
        settings: Settings,
        catalog: Arc<Catalog>,
        store: Store,
        cipher: TokenCipher,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            settings: Arc::new(settings),
            catalog,
            store,
            cipher: Arc::new(cipher),
        })
    }
}
