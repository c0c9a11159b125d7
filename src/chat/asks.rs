//! The router's questions in the chat: each open question of an assistant message, with
//! one button per tool and a "No" button. One click answers it: a tool joins the request
//! as if the builder had picked it (the request is routed again with it as a chip, so its
//! role and operations come out as for any chosen tool) and its card follows; "No" closes
//! the question. Other questions of the message stay as they were.

use super::{flows, payload_of, structure_with_connections};
use crate::card::CardsPayload;
use crate::catalog::Catalog;
use crate::ranking::{Ask, Role, RouteError, RouteMode, RouteRequest, RoutingService, Selected};
use crate::store::{AppRow, ChatMessage, Store, StoreError, UserRow};

/// One open question as the chat shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AskView {
    pub message_id: i64,
    pub index: usize,
    pub question: String,
    /// (connector id, its name), best first.
    pub options: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("This question has already been answered.")]
    NotOpen,
    #[error("That tool is not one of the choices.")]
    NotAnOption,
    #[error("{0}")]
    Route(RouteError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The open questions of a message, with the tools' names.
pub fn open_asks(message_id: i64, asks: &[Ask], catalog: &Catalog) -> Vec<AskView> {
    asks.iter()
        .enumerate()
        .map(|(index, ask)| AskView {
            message_id,
            index,
            question: ask.question.clone(),
            options: ask
                .options
                .iter()
                .filter_map(|id| catalog.get(id).map(|c| (id.clone(), c.name.clone())))
                .collect(),
        })
        .collect()
}

/// The builder's click: question `index` of an assistant message, and the tool picked
/// (`None` for "No").
pub struct Answer<'a> {
    pub message: &'a ChatMessage,
    pub index: usize,
    pub choice: Option<&'a str>,
}

/// Answers one question of an assistant message.
pub async fn answer(
    store: &Store,
    routing: &RoutingService,
    catalog: &Catalog,
    app: &AppRow,
    user: &UserRow,
    Answer { message, index, choice }: Answer<'_>,
) -> Result<(), AnswerError> {
    let mut payload = payload_of(message);
    let mut route = payload.route.take().ok_or(AnswerError::NotOpen)?;
    let ask = route.asks.get(index).cloned().ok_or(AnswerError::NotOpen)?;
    let Some(choice) = choice else {
        route.asks.remove(index);
        payload.route = Some(route);
        return save(store, catalog, app, user, message, &payload).await;
    };
    if !ask.options.iter().any(|o| o == choice) {
        return Err(AnswerError::NotAnOption);
    }
    // The tools the builder picked before (chips and earlier answers), and this one.
    let mut chips: Vec<String> =
        payload.cards.iter().filter(|c| !route.selected.iter().any(|s| &s.connector == *c)).cloned().collect();
    chips.push(choice.to_owned());
    let prompt = super::request_answered_by(store, app.id, message.id).await?;
    let structure = structure_with_connections(store, app).await?;
    let request = RouteRequest { prompt, app: structure, chips: chips.clone() };
    let mut answered = routing.route(&request, RouteMode::Default).await.map_err(AnswerError::Route)?;
    if !answered.selected.iter().any(|s| s.connector == choice) {
        answered.selected.push(Selected {
            connector: choice.to_owned(),
            role: Role::Action,
            score: 0.9,
            actions: Vec::new(),
        });
    }
    // Questions already answered or closed stay closed; this one is answered now.
    let open: Vec<&str> =
        route.asks.iter().enumerate().filter(|(i, _)| *i != index).map(|(_, a)| a.need.as_str()).collect();
    answered.asks.retain(|a| open.contains(&a.need.as_str()));
    let mut cards: Vec<String> = answered.selected.iter().map(|s| s.connector.clone()).collect();
    for chip in chips {
        if !cards.contains(&chip) {
            cards.push(chip);
        }
    }
    payload.route = Some(answered);
    payload.cards = cards;
    save(store, catalog, app, user, message, &payload).await
}

async fn save(
    store: &Store,
    catalog: &Catalog,
    app: &AppRow,
    user: &UserRow,
    message: &ChatMessage,
    payload: &CardsPayload,
) -> Result<(), AnswerError> {
    let json = serde_json::to_string(payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // The words above the cards follow the answer ("not sure which" no longer holds).
    let body = match &payload.route {
        Some(route) => super::answer_body(route, &payload.cards, catalog),
        None => message.body.clone(),
    };
    store.set_message_answer(message.id, &body, &json).await?;
    let updated = ChatMessage { body, payload: Some(json), ..message.clone() };
    // When every tool is already connected, the turn goes straight on to the flow.
    flows::continue_turn(store, catalog, app, user, &updated).await?;
    Ok(())
}
