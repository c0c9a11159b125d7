//! Owners create and revoke the keys the host's backend uses. A new key is shown once,
//! in the answer to the form; patchbay keeps only its hash.

use super::{SettingsPage, ShownOnce};
use crate::http::AppState;
use crate::http::auth::Owner;
use crate::http::pages::PageError;
use crate::identity::keys;
use crate::store::now;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
}

pub async fn create_key(
    State(state): State<AppState>,
    Owner(access): Owner,
    Form(form): Form<KeyForm>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let Some(name) = keys::key_name(&form.name) else {
        return SettingsPage::load(&state, &access)
            .await?
            .with_notice("Give the key a name of 1 to 60 characters, such as \"Production backend\".")
            .render(StatusCode::UNPROCESSABLE_ENTITY);
    };
    let key = keys::create(&state.store, app_id, &name, Some(access.user.id)).await?;
    state
        .store
        .audit(
            Some(app_id),
            Some(access.user.id),
            "key.created",
            None,
            None,
            Some(&format!("{name} ({})", key.row.hint)),
        )
        .await?;
    SettingsPage::load(&state, &access)
        .await?
        .with_shown(ShownOnce {
            what: format!("The key \"{name}\". Copy it now: it is shown only this once."),
            value: key.secret,
        })
        .render(StatusCode::OK)
}

pub async fn revoke_key(
    State(state): State<AppState>,
    Owner(access): Owner,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let revoked = state.store.revoke_app_key(app_id, id, now()).await?.ok_or_else(PageError::not_found)?;
    state
        .store
        .audit(
            Some(app_id),
            Some(access.user.id),
            "key.revoked",
            None,
            None,
            Some(&format!("{} ({})", revoked.name, revoked.hint)),
        )
        .await?;
    SettingsPage::load(&state, &access)
        .await?
        .with_notice(format!("The key \"{}\" is revoked: calls with it now get 401.", revoked.name))
        .render(StatusCode::OK)
}
