//! The chat turn continues into a flow: once every tool a request needs is connected —
//! right away, or when the callback completes the last card — the request is drafted
//! with the same function as `patchbay flow draft`, validated and stored as a draft, and
//! the chat presents it for review and activation. A request patchbay must ask about
//! gets the question instead; when the app lacks the data, the answer carries a one-click
//! offer to add it, after which the flow is wired.

use super::payload_of;
use crate::card::CardsPayload;
use crate::catalog::Catalog;
use crate::connections::Status;
use crate::store::{AppRow, ChatMessage, NewMessage, Store, StoreError, UserRow};
use crate::wiring::offer::Offer;
use crate::wiring::{self, WiringError, draft};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What an answer that asks stores besides the cards payload's keys: the offer, and the
/// routed answer to wire again once it is taken.
#[derive(Debug, Default, Serialize, Deserialize)]
struct OfferPayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offer: Option<Offer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answer_id: Option<i64>,
}

/// The offer an assistant message makes, with the routed answer it belongs to.
pub fn offer_of(message: &ChatMessage) -> Option<(Offer, i64)> {
    let payload: OfferPayload = serde_json::from_str(message.payload.as_deref()?).ok()?;
    Some((payload.offer?, payload.answer_id?))
}

/// Drafts the flow for an assistant message's routing, when its tools are all connected
/// and no flow was made for it yet. Returns the message that presents it (or asks).
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
    // Each tool is connected, or set up for the app's users to connect their own.
    let mut for_app_users = Vec::new();
    for s in &route.selected {
        let shared =
            store.shared_connection(app.id, &s.connector).await?.is_some_and(|c| Status::parse(&c.status).is_healthy());
        if shared {
            continue;
        }
        if store.app_user_connector(app.id, &s.connector).await?.is_none() {
            return Ok(None);
        }
        for_app_users.push(s.connector.clone());
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
    let mut drafted = draft::draft(&route, &ctx);
    if let Some(definition) = drafted.flow.as_mut() {
        for connector in &for_app_users {
            definition.use_app_user_connection(connector);
        }
    }
    if !for_app_users.is_empty() {
        drafted.notes.push(per_person_note(catalog, &for_app_users));
    }
    let notes = drafted.notes.join(" ");
    let (body, flow_id, offer) = match (drafted.flow, drafted.asks.into_iter().next()) {
        (_, Some(ask)) => {
            let mut body = ask.message;
            if !ask.options.is_empty() {
                body.push_str(&format!(" Choices: {}.", ask.options.join(" · ")));
            }
            (body, None, ask.offer)
        }
        (Some(definition), None) => match wiring::same_as(store, app.id, &definition).await {
            Ok(Some(existing)) => (already_there(&existing), Some(existing.row.id), None),
            Ok(None) => save_new(store, catalog, app, user, &definition).await?,
            Err(WiringError::Store(e)) => return Err(e),
            Err(e) => (format!("The flow could not be stored: {e}."), None, None),
        },
        (None, None) => return Ok(None),
    };
    let body = if notes.is_empty() { body } else { format!("{body} {notes}") };
    let payload = payload(flow_id, offer, answer.id);
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

/// Asked again for a flow the app has: point at it instead of adding a copy.
fn already_there(existing: &wiring::StoredFlow) -> String {
    let now = match existing.status() {
        Some(wiring::FlowStatus::Active) => "it is on",
        Some(wiring::FlowStatus::Blocked) => "it waits for a connection, permissions or the owner's go-ahead",
        _ => "it is a draft: review it and activate it there",
    };
    format!("This app already has that flow, “{}”, on the Flows page ({now}). I did not add a copy.", existing.row.name)
}

/// Stores a newly drafted flow and says what it still needs.
async fn save_new(
    store: &Store,
    catalog: &Catalog,
    app: &AppRow,
    user: &UserRow,
    definition: &wiring::FlowDefinition,
) -> Result<(String, Option<i64>, Option<Offer>), StoreError> {
    Ok(match wiring::save(store, catalog, app.id, definition, Some(user.id)).await {
        Ok((stored, report)) => {
            let mut body = format!("I wired a flow for this: {}.", definition.summary(catalog));
            if let Some(refused) = report.refused.first() {
                // Approving on a card would not help: only an owner can allow the tool.
                body.push_str(&format!(" It cannot run yet: {refused}"));
            } else if report.is_blocked() {
                body.push_str(" It needs more permissions before it can run: approve them on the card.");
            } else if !report.unset_settings.is_empty() {
                body.push_str(" Fill in its settings, then activate it.");
            } else {
                body.push_str(" Review it and activate it when it looks right.");
            }
            (body, Some(stored.row.id), None)
        }
        Err(WiringError::Store(e)) => return Err(e),
        Err(e) => (format!("The flow could not be stored: {e}."), None, None),
    })
}

/// The cards payload of the answer, with the offer and the answer to wire again.
fn payload(flow_id: Option<i64>, offer: Option<Offer>, answer_id: i64) -> Option<String> {
    if flow_id.is_none() && offer.is_none() {
        return None;
    }
    let mut value = serde_json::to_value(CardsPayload { route: None, cards: Vec::new(), flow_id }).ok()?;
    if let (Some(offer), Value::Object(map)) = (offer, &mut value) {
        map.insert("offer".into(), serde_json::to_value(offer).ok()?);
        map.insert("answer_id".into(), answer_id.into());
    }
    serde_json::to_string(&value).ok()
}

/// Takes the offer an assistant message made: adds the data to the app's structure (keys
/// the structure holds that patchbay does not read are kept), then wires the request it
/// was made for. Returns the message that presents the flow, or asks again.
pub async fn accept_offer(
    store: &Store,
    catalog: &Catalog,
    app: &AppRow,
    user: &UserRow,
    offer_message: &ChatMessage,
) -> Result<Option<ChatMessage>, StoreError> {
    let Some((offer, answer_id)) = offer_of(offer_message) else { return Ok(None) };
    let mut raw: Value = serde_json::from_str(&app.structure).unwrap_or_else(|_| Value::Object(Default::default()));
    offer.apply_json(&mut raw);
    store.update_app_structure(app.id, &raw.to_string()).await?;
    let (Some(app), Some(answer)) = (store.app(app.id).await?, store.message(answer_id).await?) else {
        return Ok(None);
    };
    if answer.app_id != app.id {
        return Ok(None);
    }
    continue_turn(store, catalog, &app, user, &answer).await
}

/// Says whose account the steps use, since the builder cannot see it in the flow's words.
fn per_person_note(catalog: &Catalog, connectors: &[String]) -> String {
    let names: Vec<String> = connectors.iter().map(|c| catalog.get(c).map_or(c.clone(), |c| c.name.clone())).collect();
    format!(
        "Its {} steps use the account of the app user whose action starts a run; a run that no app user starts (a schedule) cannot use them.",
        names.join(" and ")
    )
}
