//! Owners invite people, change their roles and remove them. The last owner can be
//! neither demoted nor removed; every change goes to the audit log.

use super::{SettingsPage, ShownOnce};
use crate::app::Role;
use crate::http::AppState;
use crate::http::auth::Owner;
use crate::http::pages::PageError;
use crate::identity::{IdentityError, invitations};
use crate::store::StoreError;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn invite(
    State(state): State<AppState>,
    Owner(access): Owner,
    Form(form): Form<InviteForm>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let Some(role) = Role::parse(&form.role) else {
        return Err(PageError::new(StatusCode::BAD_REQUEST, "Unknown role", "Pick Owner, Editor or App user."));
    };
    let ttl = state.settings.auth.invitation_ttl_hours * 3600;
    match invitations::create(&state.store, app_id, access.user.id, &form.email, role, ttl).await {
        Ok(new) => {
            let link = format!("{}/invitations/{}", state.settings.public_url(), new.token);
            let what = format!(
                "Invitation for {} as {}. Send them this link; it works once, for {} hours, and is shown only now.",
                new.row.email,
                role.label(),
                state.settings.auth.invitation_ttl_hours
            );
            SettingsPage::load(&state, &access)
                .await?
                .with_shown(ShownOnce { what, value: link })
                .render(StatusCode::OK)
        }
        Err(IdentityError::Invalid(message)) => {
            SettingsPage::load(&state, &access).await?.with_notice(message).render(StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(PageError::internal(e)),
    }
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    Owner(access): Owner,
    Path((_, id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    if !state.store.delete_invitation(app_id, id).await? {
        return Err(PageError::not_found());
    }
    state.store.audit(Some(app_id), Some(access.user.id), "member.invitation_revoked", None, None, None).await?;
    SettingsPage::load(&state, &access)
        .await?
        .with_notice("The invitation was withdrawn; its link no longer works.")
        .render(StatusCode::OK)
}

#[derive(Deserialize)]
pub struct MemberForm {
    /// A role, or "remove".
    action: String,
}

pub async fn change_member(
    State(state): State<AppState>,
    Owner(access): Owner,
    Path((_, user_id)): Path<(i64, i64)>,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let app_id = access.app.id;
    let role = match form.action.as_str() {
        "remove" => None,
        other => Some(
            Role::parse(other)
                .ok_or_else(|| PageError::new(StatusCode::BAD_REQUEST, "Unknown role", "Pick a role."))?,
        ),
    };
    let member = state.store.user(user_id).await?.ok_or_else(PageError::not_found)?;
    let notice = match state.store.change_member(app_id, user_id, role).await {
        Ok(()) => {
            let (action, what) = match role {
                Some(r) => ("member.role_changed", format!("{} is now {}.", member.name, r.label())),
                None => ("member.removed", format!("{} no longer has access to this app.", member.name)),
            };
            state
                .store
                .audit(Some(app_id), Some(access.user.id), action, None, Some(&member.email), role.map(Role::label))
                .await?;
            what
        }
        Err(StoreError::Conflict(message)) => message,
        Err(StoreError::NotFound) => return Err(PageError::not_found()),
        Err(e) => return Err(e.into()),
    };
    // Someone who removed or demoted themselves may no longer see this page.
    match crate::http::pages::Access::load(&state, app_id, &access.user).await {
        Ok(me) if me.role == Role::Owner => {
            SettingsPage::load(&state, &me).await?.with_notice(notice).render(StatusCode::OK)
        }
        _ => Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/"))),
    }
}
