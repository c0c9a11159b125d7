//! Inviting people to an app: an owner names an email and a role; patchbay makes a
//! single-use link that expires, shown once to copy (patchbay sends no email). Accepting
//! it adds the membership, for an account with that same email.

use super::{Email, IdentityError, IdentityResult, Password, setup, sign_in};
use crate::app::Role;
use crate::digest::{random_token, sha256_hex};
use crate::store::{AppRow, InvitationRow, Store, UserRow, now};

pub struct NewInvitation {
    pub row: InvitationRow,
    /// The secret part of the link; only its hash is kept.
    pub token: String,
}

pub async fn create(
    store: &Store,
    app_id: i64,
    invited_by: i64,
    email: &str,
    role: Role,
    ttl_secs: i64,
) -> IdentityResult<NewInvitation> {
    let email = Email::parse(email)?;
    let token = random_token();
    let row = store
        .create_invitation(&sha256_hex(&token), app_id, email.as_str(), role, invited_by, now() + ttl_secs)
        .await?;
    store
        .audit(Some(app_id), Some(invited_by), "member.invited", None, Some(email.as_str()), Some(role.label()))
        .await?;
    Ok(NewInvitation { row, token })
}

/// An open invitation and its app, or `LinkUsed` for one that is unknown, taken or old.
pub async fn open(store: &Store, token: &str) -> IdentityResult<(InvitationRow, AppRow)> {
    let invitation = store.open_invitation(&sha256_hex(token), now()).await?.ok_or(IdentityError::LinkUsed)?;
    let app = store.app(invitation.app_id).await?.ok_or(IdentityError::LinkUsed)?;
    Ok((invitation, app))
}

/// Accepts the invitation (by the hash of its token) for `user`, whose email must be the
/// invited one: a forwarded link does not let someone else in.
pub async fn accept(store: &Store, token_hash: &str, user: &UserRow) -> IdentityResult<InvitationRow> {
    let at = now();
    let invitation = store.open_invitation(token_hash, at).await?.ok_or(IdentityError::LinkUsed)?;
    if !invitation.email.eq_ignore_ascii_case(&user.email) {
        return Err(IdentityError::Invalid(format!(
            "This invitation is for {}, and you are signed in as {}. Sign out, then open the link again.",
            invitation.email, user.email
        )));
    }
    let taken = store.accept_invitation(token_hash, user.id, at).await?.ok_or(IdentityError::LinkUsed)?;
    store
        .audit(Some(taken.app_id), Some(user.id), "member.joined", None, Some(&user.email), Some(taken.role().label()))
        .await?;
    Ok(taken)
}

/// Creates the invited person's account with a password, then accepts.
pub async fn accept_as_new(
    store: &Store,
    token: &str,
    name: &str,
    password: &str,
) -> IdentityResult<(UserRow, InvitationRow)> {
    let (invitation, _) = open(store, token).await?;
    if store.user_by_email(&invitation.email).await?.is_some() {
        return Err(IdentityError::Invalid(format!(
            "There is already an account for {}. Sign in to accept the invitation.",
            invitation.email
        )));
    }
    let name = setup::person_name(name)?;
    let hash = sign_in::hash(Password::new(password)?).await?;
    let user = store.create_user_with_password(&invitation.email, &name, &hash).await?;
    let accepted = accept(store, &sha256_hex(token), &user).await?;
    Ok((user, accepted))
}
