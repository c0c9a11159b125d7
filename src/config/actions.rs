//! Bounds on calls made with a connection (actions and the proxy): a slow or huge provider
//! answer must not hold a server, and a caller must not push unbounded bodies through it.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActionSettings {
    /// The whole call to the provider, its answer included (a refresh and retry after a
    /// 401 get their own budget).
    pub timeout_ms: u64,
    /// Largest body the proxy passes to a provider.
    pub max_request_bytes: usize,
    /// Largest answer the proxy streams back; past it the stream is cut.
    pub max_response_bytes: usize,
    /// Largest answer an action reads (actions parse it, so less than the proxy's).
    pub max_action_response_bytes: usize,
    /// Let custom APIs (imported from OpenAPI documents) live on this machine over plain
    /// http: for tests and local development only, refused in production. Private and
    /// link-local networks stay refused either way.
    pub allow_local_custom_apis: bool,
}

impl Default for ActionSettings {
    fn default() -> Self {
        Self {
            timeout_ms: 30_000,
            max_request_bytes: 10 * 1024 * 1024,
            max_response_bytes: 50 * 1024 * 1024,
            max_action_response_bytes: 5 * 1024 * 1024,
            allow_local_custom_apis: false,
        }
    }
}
