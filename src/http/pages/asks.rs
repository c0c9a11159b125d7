//! One click on a question the assistant asked in the chat ("Which email service should
//! the app use?"): the chosen tool joins the request and its card follows, or "No" closes
//! the question. The work is `chat::asks`; this only reads the form and redirects.

use super::{Access, PageError};
use crate::chat::asks::{self, Answer, AnswerError};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    option: String,
}

pub async fn answer(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((app_id, message_id, index)): Path<(i64, i64, usize)>,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("answer the assistant's questions")?;
    let message = state
        .store
        .message(message_id)
        .await?
        .filter(|m| m.app_id == app_id && m.role == "assistant")
        .ok_or_else(PageError::not_found)?;
    let choice = Some(form.option.as_str()).filter(|o| *o != "none");
    let answer = Answer { message: &message, index, choice };
    match asks::answer(&state.store, &state.routing, &state.catalog, &access.app, &user, answer).await {
        Ok(()) => Ok(Redirect::to(&format!("/apps/{app_id}/chat#m-{message_id}")).into_response()),
        Err(e @ (AnswerError::NotOpen | AnswerError::NotAnOption)) => {
            Err(PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "That answer was not taken", &e.to_string()))
        }
        Err(AnswerError::Route(e)) => {
            Err(PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "That answer was not taken", &e.to_string()))
        }
        Err(AnswerError::Store(e)) => Err(e.into()),
    }
}
