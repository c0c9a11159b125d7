//! Sign-in settings: session and invitation lifetimes, the failed-sign-in limits, and
//! the optional single sign-on provider.

use secrecy::SecretString;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// A session ends this long after sign-in.
    pub session_ttl_hours: i64,
    /// An invitation link works this long.
    pub invitation_ttl_hours: i64,
    /// Failed sign-ins allowed per account, and per client address, within the window.
    pub failures_per_account: i64,
    pub failures_per_address: i64,
    pub failure_window_secs: i64,
    /// Single sign-on with an OpenID Connect provider (`auth.oidc.issuer`, …).
    pub oidc: Option<OidcSettings>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_ttl_hours: 14 * 24,
            invitation_ttl_hours: 72,
            failures_per_account: 5,
            failures_per_address: 30,
            failure_window_secs: 900,
            oidc: None,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The issuer URL; its `/.well-known/openid-configuration` tells the rest.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The button's words on the sign-in page.
    #[serde(default = "default_label")]
    pub label: String,
}

fn default_label() -> String {
    "Sign in with single sign-on".into()
}
