//! The app's backend, as patchbay reaches it: where its own records live (the
//! data-source protocol), where events are posted (the webhook), and the secret that
//! signs both, shown once when made. Owners only.

use super::{SettingsPage, ShownOnce};
use crate::digest::random_token;
use crate::http::AppState;
use crate::http::auth::Owner;
use crate::http::pages::PageError;
use crate::runner::execute::data_secret_context;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

pub struct DeliveryView {
    pub event: String,
    pub when: String,
    pub status: String,
    pub error: String,
}

#[derive(Deserialize)]
pub struct BackendForm {
    #[serde(default)]
    data_url: String,
    #[serde(default)]
    webhook_url: String,
}

/// An address patchbay may call: http(s), and in production https to a named host, never
/// a loopback or link-local address (which would reach patchbay's own machine).
fn checked_url(state: &AppState, raw: &str, what: &str) -> Result<Option<String>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let url = url::Url::parse(raw).map_err(|_| format!("The {what} is not a web address."))?;
    let production = state.settings.is_production();
    let scheme_ok = url.scheme() == "https" || (!production && url.scheme() == "http");
    if !scheme_ok {
        return Err(format!("The {what} must start with https://."));
    }
    let internal = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_link_local() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => true,
    };
    if production && internal {
        return Err(format!("The {what} must be your backend's public address, not this machine's."));
    }
    Ok(Some(url.to_string()))
}

pub async fn save_backend(
    State(state): State<AppState>,
    Owner(access): Owner,
    Form(form): Form<BackendForm>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let urls = checked_url(&state, &form.data_url, "data source address")
        .and_then(|d| Ok((d, checked_url(&state, &form.webhook_url, "webhook address")?)));
    let (data_url, webhook_url) = match urls {
        Ok(u) => u,
        Err(message) => {
            return SettingsPage::load(&state, &access)
                .await?
                .with_notice(message)
                .render(StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    state.store.set_app_data_source(app_id, data_url.as_deref(), None).await?;
    state.store.set_app_webhook(app_id, webhook_url.as_deref()).await?;
    state.store.audit(Some(app_id), Some(access.user.id), "app.backend_changed", None, None, None).await?;
    SettingsPage::load(&state, &access).await?.with_notice("Saved.").render(StatusCode::OK)
}

/// A new signing secret replaces the old one at once; it is shown only now.
pub async fn new_secret(State(state): State<AppState>, Owner(access): Owner) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let secret = format!("pbs_{}", random_token());
    let sealed = state.cipher.seal(secret.as_bytes(), &data_secret_context(app_id));
    let (url, _) = state.store.app_data_source(app_id).await?;
    state.store.set_app_data_source(app_id, url.as_deref(), Some(&sealed)).await?;
    state.store.audit(Some(app_id), Some(access.user.id), "app.secret_rotated", None, None, None).await?;
    let what = "The signing secret. Your backend checks X-Patchbay-Signature with it (docs/data-source.md). Copy it now: it is shown only this once.".to_owned();
    SettingsPage::load(&state, &access).await?.with_shown(ShownOnce { what, value: secret }).render(StatusCode::OK)
}
