//! One turn of the builder chat: store the builder's message, route it against the app's
//! structure and its connections, and store the assistant's answer with the cards to show.
//! No HTTP here: the pages call `post_message` and render what it stored.

pub mod asks;
pub mod flows;
pub mod shown;
pub mod suggest;

use crate::app::AppStructure;
use crate::card::{CardsPayload, summary};
use crate::catalog::Catalog;
use crate::ranking::{RouteError, RouteMode, RouteRequest, RouteResult, RoutingService};
use crate::store::{AppRow, ChatMessage, NewMessage, Store, StoreError, UserRow};

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("Write a message first.")]
    Empty,
    #[error("Your message is {chars} characters long; the limit is {limit}. Shorten it and send again.")]
    TooLong { chars: usize, limit: usize },
    #[error("{0}")]
    Route(RouteError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Turn {
    pub builder: ChatMessage,
    pub assistant: ChatMessage,
}

/// The app's structure as stored, with `connected` taken from its real connections.
pub async fn structure_with_connections(store: &Store, app: &AppRow) -> Result<AppStructure, StoreError> {
    let mut structure = AppStructure::parse_json(&app.structure).unwrap_or_default();
    for c in store.connections_of_app(app.id).await? {
        let healthy = matches!(c.status.as_str(), "connected" | "expires_soon");
        if c.kind == "shared" && healthy && !structure.connected.contains(&c.connector) {
            structure.connected.push(c.connector);
        }
    }
    Ok(structure)
}

/// Checks, stores and answers one builder message. `chips` are the homepage's preselected
/// connectors: they get a card even when the request does not need them, because the
/// builder picked them for this app on purpose.
pub async fn post_message(
    store: &Store,
    routing: &RoutingService,
    catalog: &Catalog,
    app: &AppRow,
    user: &UserRow,
    text: &str,
    chips: &[String],
) -> Result<Turn, ChatError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ChatError::Empty);
    }
    let chars = text.chars().count();
    let limit = routing.router().max_prompt_chars();
    if chars > limit {
        return Err(ChatError::TooLong { chars, limit });
    }
    let structure = structure_with_connections(store, app).await?;
    let request = RouteRequest { prompt: text.to_owned(), app: structure, chips: chips.to_vec() };
    // The LLM refines the answer when it is configured; the rules are the floor.
    let route = routing.route(&request, RouteMode::Default).await.map_err(ChatError::Route)?;

    let builder = store
        .add_message(NewMessage {
            app_id: app.id,
            author_id: Some(user.id),
            role: "builder",
            body: text,
            payload: None,
        })
        .await?;
    let mut cards: Vec<String> = route.selected.iter().map(|s| s.connector.clone()).collect();
    for chip in chips {
        if !cards.contains(chip) {
            cards.push(chip.clone());
        }
    }
    let body = answer_body(&route, &cards, catalog);
    let payload = CardsPayload { route: Some(route), cards, flow_id: None };
    let payload = serde_json::to_string(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let assistant = store
        .add_message(NewMessage {
            app_id: app.id,
            author_id: None,
            role: "assistant",
            body: &body,
            payload: Some(&payload),
        })
        .await?;
    // When every tool is already connected, the turn goes straight on to the flow.
    flows::continue_turn(store, catalog, app, user, &assistant).await?;
    Ok(Turn { builder, assistant })
}

/// The builder's message an assistant message answers: the last one before it.
pub async fn request_answered_by(store: &Store, app_id: i64, answer_id: i64) -> Result<String, StoreError> {
    Ok(store
        .messages_of_app(app_id)
        .await?
        .into_iter()
        .rfind(|m| m.role == "builder" && m.id < answer_id)
        .map(|m| m.body)
        .unwrap_or_default())
}

/// The cards payload of an assistant message (empty for plain messages).
pub fn payload_of(message: &ChatMessage) -> CardsPayload {
    message.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default()
}

/// What the assistant says above its cards: what it understood, or the tools picked.
pub(crate) fn answer_body(route: &RouteResult, cards: &[String], catalog: &Catalog) -> String {
    if route.selected.is_empty() && !cards.is_empty() {
        let names: Vec<&str> = cards.iter().filter_map(|id| catalog.get(id)).map(|c| c.name.as_str()).collect();
        format!("You picked {} for this app. Approve each one it should use, or skip it.", names.join(", "))
    } else {
        summary::understood(route, catalog)
    }
}
