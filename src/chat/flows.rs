//! The chat turn continues into a flow: once every tool a request needs is connected —
//! right away, or when the callback completes the last card — the flow is generated,
//! validated and stored as a draft, and the chat presents it for review and activation.
//! A request whose data the app lacks gets an explanation instead of a wrong flow.

use super::payload_of;
use crate::card::CardsPayload;
use crate::catalog::Catalog;
use crate::connections::Status;
use crate::store::{AppRow, ChatMessage, NewMessage, Store, StoreError, UserRow};
use crate::wiring::{self, Unbuildable, WiringError};

/// Generates the flow for an assistant message's routing, when its tools are all
/// connected and no flow was made for it yet. Returns the message that presents it.
pub async fn continue_turn(
    store: &Store,
    catalog: &Catalog,
    app: &AppRow,
    user: &UserRow,
    answer: &ChatMessage,
) -> Result<Option<ChatMessage>, StoreError> {
    let Some(route) = payload_of(answer).route else { return Ok(None) };
    if route.selected.is_empty() {
        return Ok(None);
    }
    for s in &route.selected {
        let ready =
            store.shared_connection(app.id, &s.connector).await?.is_some_and(|c| Status::parse(&c.status).is_healthy());
        if !ready {
            return Ok(None);
        }
    }
    if store.flows_of_app(app.id).await?.iter().any(|f| f.message_id == Some(answer.id)) {
        return Ok(None);
    }
    let structure = super::structure_with_connections(store, app).await?;
    let request = super::request_answered_by(store, app.id, answer.id).await?;
    let ctx = wiring::Context {
        catalog,
        app: &structure,
        time_zone: &app.time_zone,
        requester: &user.email,
        request: &request,
        message_id: Some(answer.id),
    };
    let (body, flow_id) = match wiring::generate(&route, &ctx) {
        Ok(definition) => match wiring::save(store, catalog, app.id, &definition, Some(user.id)).await {
            Ok((stored, report)) => {
                let mut body = format!("I wired a flow for this: {}.", definition.summary(catalog));
                if report.is_blocked() {
                    body.push_str(" It needs more permissions before it can run: approve them on the card.");
                } else if !report.unset_settings.is_empty() {
                    body.push_str(" Fill in its settings, then activate it.");
                } else {
                    body.push_str(" Review it and activate it when it looks right.");
                }
                (body, Some(stored.row.id))
            }
            Err(WiringError::Store(e)) => return Err(e),
            Err(e) => (format!("The flow could not be stored: {e}."), None),
        },
        Err(Unbuildable::NoTool) => return Ok(None),
        Err(why) => (why.to_string(), None),
    };
    let payload = flow_id.map(|id| {
        serde_json::to_string(&CardsPayload { route: None, cards: Vec::new(), flow_id: Some(id) }).unwrap_or_default()
    });
    let message = store
        .add_message(NewMessage {
            app_id: app.id,
            author_id: None,
            role: "assistant",
            body: &body,
            payload: payload.as_deref(),
        })
        .await?;
    Ok(Some(message))
}
