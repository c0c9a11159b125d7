//! The one shared state of the server: cheap to clone (every part is an `Arc` or a pool).

use crate::catalog::Catalog;
use crate::config::Settings;
use crate::connections::TokenCipher;
use crate::oauth::OAuth;
use crate::oauth::http::ProviderHttp;
use crate::ranking::Router;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub cipher: Arc<TokenCipher>,
    pub router: Arc<Router>,
    pub oauth: OAuth,
}

impl AppState {
    pub fn new(settings: Settings, catalog: Arc<Catalog>, store: Store, cipher: TokenCipher) -> anyhow::Result<Self> {
        let router = Router::build(catalog.clone(), settings.router.max_prompt_chars)?;
        let settings = Arc::new(settings);
        let cipher = Arc::new(cipher);
        let t = &settings.tokens;
        let http = ProviderHttp::new(
            Duration::from_millis(t.http_connect_timeout_ms),
            Duration::from_millis(t.http_timeout_ms),
        );
        let oauth = OAuth {
            http,
            settings: settings.clone(),
            catalog: catalog.clone(),
            store: store.clone(),
            cipher: cipher.clone(),
        };
        Ok(Self { settings, catalog, store, cipher, router: Arc::new(router), oauth })
    }
}
