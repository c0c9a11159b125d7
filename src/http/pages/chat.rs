//! The app editor's AI chat: the conversation, persisted per app; each builder message is
//! routed and answered with what was understood and one approval card per connector.

use super::{Access, Layout, PageError, render};
use crate::card::{ApprovalCard, cards_of_message};
use crate::chat::{self, ChatError, suggest};
use crate::http::AppState;
use crate::http::auth::CurrentUser;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct MessageView {
    pub id: i64,
    pub from_builder: bool,
    pub author: String,
    pub body: String,
    pub cards: Vec<ApprovalCard>,
    pub asks: Vec<chat::asks::AskView>,
    pub flow: Option<super::flows::FlowView>,
    /// The label of a one-click offer to add the data the request needs.
    pub offer: Option<String>,
}

#[derive(Template)]
#[template(path = "chat/page.html")]
struct ChatPage {
    layout: Layout,
    app_id: i64,
    messages: Vec<MessageView>,
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
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    Query(q): Query<ChatQuery>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("use the builder chat")?;
    let shown = Shown { draft: q.prompt, error: None, notice: q.notice, before: q.before };
    chat_page(&state, &access, shown, StatusCode::OK).await
}

/// What the page shows besides the conversation.
struct Shown {
    draft: String,
    error: Option<String>,
    notice: Option<String>,
    before: Option<i64>,
}

async fn chat_page(state: &AppState, access: &Access, shown: Shown, status: StatusCode) -> Result<Response, PageError> {
    let (rows, older) = state.store.messages_page(access.app.id, shown.before, PAGE_MESSAGES).await?;
    let older_than = older.then(|| rows.first().map(|m| m.id)).flatten();
    let messages = views_of(state, access.app.id, rows).await?;
    let suggestions = if messages.is_empty() && shown.before.is_none() {
        suggest::suggestions(&state.catalog, &access.structure, 4)
    } else {
        Vec::new()
    };
    let page = ChatPage {
        layout: Layout::for_app(format!("{} · Chat", access.app.name), access, "chat"),
        app_id: access.app.id,
        messages,
        suggestions,
        draft: shown.draft,
        error: shown.error,
        notice: shown.notice,
        older_than,
        paged: shown.before.is_some(),
    };
    render(status, &page)
}

/// Messages with their cards as they stand now.
async fn views_of(
    state: &AppState,
    app_id: i64,
    rows: Vec<crate::store::ChatMessage>,
) -> Result<Vec<MessageView>, PageError> {
    let connections = state.store.connections_of_app(app_id).await?;
    let decisions = state.store.card_states_of_app(app_id).await?;
    let policy = crate::connections::policy::Policy::load(&state.store, app_id).await?;
    let mut users = std::collections::HashMap::new();
    for u in state.store.members(app_id).await? {
        users.insert(u.user.id, u.user.name);
    }
    let mut views = Vec::new();
    for m in rows {
        let payload = chat::payload_of(&m);
        let mut cards = cards_of_message(m.id, &payload, &state.catalog, &connections, &decisions, &policy);
        if state.settings.sandbox_enabled() {
            for card in cards.iter_mut().filter(|c| !c.credentials.is_empty()) {
                card.console = Some(crate::sandbox::console_url(&card.connector_id));
            }
        }
        let flow = match payload.flow_id {
            Some(id) => match crate::wiring::load(&state.store, id).await? {
                Some(stored) => Some(super::flows::flow_view(state, stored).await?),
                None => None,
            },
            None => None,
        };
        let author = match m.author_id {
            Some(id) => users.get(&id).cloned().unwrap_or_else(|| "A former member".into()),
            None => "patchbay".into(),
        };
        let offer = chat::flows::offer_of(&m).map(|(o, _)| o.label);
        let asks = chat::asks::open_asks(m.id, &payload, &state.catalog);
        views.push(MessageView {
            id: m.id,
            from_builder: m.role == "builder",
            author,
            body: m.body,
            cards,
            asks,
            flow,
            offer,
        });
    }
    Ok(views)
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
    CurrentUser(user): CurrentUser,
    Path(app_id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<SendForm>,
) -> Result<Response, PageError> {
    let access = Access::load(&state, app_id, &user).await?;
    access.require_builder("use the builder chat")?;
    let fetch = headers.get("x-requested-with").is_some_and(|v| v == "fetch");
    match chat::post_message(&state.store, &state.routing, &state.catalog, &access.app, &user, &form.message, &[]).await
    {
        Ok(turn) if fetch => {
            let rows = state.store.messages_after(app_id, turn.builder.id - 1).await?;
            let messages = views_of(&state, app_id, rows).await?;
            render(StatusCode::OK, &MessagesFragment { app_id, messages })
        }
        Ok(turn) => Ok(Redirect::to(&format!("/apps/{app_id}/chat#m-{}", turn.assistant.id)).into_response()),
        Err(e @ (ChatError::Empty | ChatError::TooLong { .. } | ChatError::Route(_))) => {
            if fetch {
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response());
            }
            let shown = Shown { draft: form.message, error: Some(e.to_string()), notice: None, before: None };
            chat_page(&state, &access, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ChatError::Store(e)) => Err(e.into()),
    }
}
