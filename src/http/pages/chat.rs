//! The app editor's AI chat: the conversation, persisted per app; each builder message is
//! routed and answered with what was understood and one approval card per connector.

use super::chat_cache::{Drawing, DrawingKey};
use super::{Access, Layout, PageError, render};
use crate::card::{ApprovalCard, CardContext, cards_of_message};
use crate::chat::shown::ShownPayload;
use crate::chat::{self, ChatError, suggest};
use crate::connections::policy::Policy;
use crate::http::AppState;
use crate::http::auth::Member;
use crate::intent::Intent;
use crate::store::{AuthoredMessage, ChatRows, Messages};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

pub struct MessageView {
    pub id: i64,
    pub from_builder: bool,
    pub author: String,
    pub body: String,
    pub cards: Vec<ChatCard>,
    pub asks: Vec<chat::asks::AskView>,
    pub flow: Option<super::flows::FlowView>,
    /// The label of a one-click offer to add the data the request needs.
    pub offer: Option<String>,
}

/// A card as the conversation shows it.
pub struct ChatCard {
    pub card: ApprovalCard,
    /// A later message shown on the page asks for the same tool and still waits on the
    /// builder: this older card shrinks to a line that points there (its anchor), so a
    /// long conversation holds one live card per tool instead of a copy per turn.
    pub asked_again: Option<String>,
}

#[derive(Template)]
#[template(path = "chat/page.html")]
struct ChatPage {
    layout: Layout,
    app_id: i64,
    /// The messages, rendered (`chat/_messages.html`).
    conversation: Arc<str>,
    empty: bool,
    suggestions: Vec<String>,
    draft: String,
    error: Option<String>,
    notice: Option<String>,
    /// The first message shown, when older ones exist: the link to them starts there.
    older_than: Option<i64>,
    /// Showing an earlier page, not the latest.
    paged: bool,
}

/// Messages on one page of the chat (about 20 turns): a long conversation stays light.
const PAGE_MESSAGES: i64 = 40;

/// The new messages of one turn, for the page's script to append without a reload.
#[derive(Template)]
#[template(path = "chat/_messages.html")]
struct MessagesFragment {
    app_id: i64,
    messages: Vec<MessageView>,
}

#[derive(Deserialize, Default)]
pub struct ChatQuery {
    #[serde(default)]
    prompt: String,
    notice: Option<String>,
    /// Show the messages before this one (the "earlier messages" link).
    before: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    Member(access): Member,
    Query(q): Query<ChatQuery>,
) -> Result<Response, PageError> {
    access.require_builder("use the builder chat")?;
    let shown = Shown { draft: q.prompt, error: None, notice: q.notice, before: q.before, drawn_at: access.revision };
    chat_page(&state, &access, shown, StatusCode::OK).await
}

/// What the page shows besides the conversation.
struct Shown {
    draft: String,
    error: Option<String>,
    notice: Option<String>,
    before: Option<i64>,
    /// The app's revision as read before this request wrote anything: a drawing made at
    /// it may be shown again. `None` draws afresh (after a write, the revision read with
    /// the session is already behind).
    drawn_at: Option<i64>,
}

async fn chat_page(state: &AppState, access: &Access, shown: Shown, status: StatusCode) -> Result<Response, PageError> {
    let drawing = conversation(state, access.app.id, shown.before, shown.drawn_at).await?;
    let suggestions = if drawing.empty && shown.before.is_none() {
        suggest::suggestions(&state.catalog, access.structure(), 4)
    } else {
        Vec::new()
    };
    let page = ChatPage {
        layout: Layout::for_app(format!("{} · Chat", access.app.name), access, "chat"),
        app_id: access.app.id,
        conversation: drawing.html,
        empty: drawing.empty,
        suggestions,
        draft: shown.draft,
        error: shown.error,
        notice: shown.notice,
        older_than: drawing.older_than,
        paged: shown.before.is_some(),
    };
    render(status, &page)
}

/// One page of the conversation, drawn again only when the app changed since.
async fn conversation(
    state: &AppState,
    app_id: i64,
    before: Option<i64>,
    revision: Option<i64>,
) -> Result<Drawing, PageError> {
    let key = DrawingKey { app_id, before, csrf: crate::http::guard::csrf_token() };
    if let Some(drawing) = revision.and_then(|r| state.chat_cache.get(&key, r)) {
        return Ok(drawing);
    }
    let rows = state.store.chat_rows(app_id, Messages::Page { before, limit: PAGE_MESSAGES }).await?;
    let older_than = rows.older.then(|| rows.messages.first().map(|m| m.message.id)).flatten();
    let messages = views_of(state, rows).await?;
    let empty = messages.is_empty();
    let html = MessagesFragment { app_id, messages }.render().map_err(PageError::internal)?;
    let drawing = Drawing { revision: revision.unwrap_or_default(), html: html.into(), older_than, empty };
    if revision.is_some() {
        state.chat_cache.put(key, drawing.clone());
    }
    Ok(drawing)
}

/// Messages with their cards as they stand now.
async fn views_of(state: &AppState, rows: ChatRows) -> Result<Vec<MessageView>, PageError> {
    let policy = Policy::of_rows(&rows.policies);
    let context = CardContext {
        catalog: &state.catalog,
        connections: &rows.connections,
        decisions: &rows.decisions,
        policy: &policy,
    };
    let no_intent = Intent::default();
    let mut views = Vec::with_capacity(rows.messages.len());
    for AuthoredMessage { message: m, author_name } in rows.messages {
        let payload = ShownPayload::of(&m);
        let intent = payload.route.as_ref().map_or(&no_intent, |r| &r.intent);
        let mut cards = cards_of_message(m.id, &payload.cards, payload.selected(), intent, &context);
        if state.settings.sandbox_enabled() {
            for card in cards.iter_mut().filter(|c| !c.credentials.is_empty()) {
                card.console = Some(crate::sandbox::console_url(&card.connector_id));
            }
        }
        let cards = cards.into_iter().map(|card| ChatCard { card, asked_again: None }).collect();
        let flow = match payload.flow_id {
            Some(id) => match crate::wiring::load(&state.store, id).await? {
                Some(stored) => Some(super::flows::flow_view(state, stored).await?),
                None => None,
            },
            None => None,
        };
        let author = match m.author_id {
            Some(_) => author_name.unwrap_or_else(|| "A former member".into()),
            None => "patchbay".into(),
        };
        let asks = chat::asks::open_asks(m.id, payload.asks(), &state.catalog);
        views.push(MessageView {
            id: m.id,
            from_builder: m.role == "builder",
            author,
            body: m.body,
            cards,
            asks,
            flow,
            offer: payload.offer,
        });
    }
    point_older_cards_to_newer(&mut views);
    Ok(views)
}

/// Older cards that wait on the builder, for a tool whose newer card waits too, point to
/// the newest one instead of repeating it.
fn point_older_cards_to_newer(views: &mut [MessageView]) {
    let mut newest: HashMap<String, String> = HashMap::new();
    for shown in views.iter_mut().rev().flat_map(|v| v.cards.iter_mut()) {
        if !shown.card.can_connect() {
            continue;
        }
        match newest.get(&shown.card.connector_id) {
            Some(anchor) => shown.asked_again = Some(anchor.clone()),
            None => {
                newest.insert(shown.card.connector_id.clone(), shown.card.anchor());
            }
        }
    }
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    message: String,
}

/// Sends a message. The page's script asks for just the new messages (header
/// `x-requested-with: fetch`); a plain form post gets the whole page back.
pub async fn send(
    State(state): State<AppState>,
    Member(access): Member,
    headers: HeaderMap,
    Form(form): Form<SendForm>,
) -> Result<Response, PageError> {
    access.require_builder("use the builder chat")?;
    let (app_id, user) = (access.app.id, &access.user);
    let fetch = headers.get("x-requested-with").is_some_and(|v| v == "fetch");
    match chat::post_message(&state.store, &state.routing, &state.catalog, &access.app, user, &form.message, &[]).await
    {
        Ok(turn) if fetch => {
            let rows = state.store.chat_rows(app_id, Messages::After(turn.builder.id - 1)).await?;
            let messages = views_of(&state, rows).await?;
            render(StatusCode::OK, &MessagesFragment { app_id, messages })
        }
        Ok(turn) => Ok(Redirect::to(&format!("/apps/{app_id}/chat#m-{}", turn.assistant.id)).into_response()),
        Err(e @ (ChatError::Empty | ChatError::TooLong { .. } | ChatError::Route(_))) => {
            if fetch {
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response());
            }
            let shown =
                Shown { draft: form.message, error: Some(e.to_string()), notice: None, before: None, drawn_at: None };
            chat_page(&state, &access, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ChatError::Store(e)) => Err(e.into()),
    }
}
