//! What the chat page draws from an assistant message's payload, parsed once per message:
//! the cards, the flow, the offer, and of the routing only what the cards and questions
//! use. The ranked list, the longest part of a payload, and the intent's actions are
//! skipped unread; parsing and freeing them was a tenth of the page's time.

use crate::intent::{DataRef, Intent, Target, Trigger};
use crate::ranking::{Ask, DecidedBy, Selected};
use crate::store::ChatMessage;
use crate::wiring::offer::Offer;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// A payload as the page shows it: `CardsPayload` plus the offer keys `flows` adds.
#[derive(Debug, Default)]
pub struct ShownPayload {
    pub route: Option<ShownRoute>,
    pub cards: Vec<String>,
    pub flow_id: Option<i64>,
    /// The label of the one-click offer to add the data the request needs.
    pub offer: Option<String>,
}

/// A `RouteResult` without what the page never shows. The required keys stay required,
/// so a payload reads as `payload_of` would read it.
#[derive(Debug, Deserialize)]
pub struct ShownRoute {
    pub selected: Vec<Selected>,
    #[serde(rename = "ranked")]
    _ranked: IgnoredAny,
    #[serde(deserialize_with = "intent_for_cards")]
    pub intent: Intent,
    #[serde(rename = "decided_by")]
    _decided_by: DecidedBy,
    #[serde(default)]
    pub asks: Vec<Ask>,
}

/// The intent as the cards read it (the trigger, the data, the targets): its actions,
/// which only the flow wiring uses, are skipped and left empty.
fn intent_for_cards<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Intent, D::Error> {
    #[derive(Deserialize)]
    struct ForCards {
        trigger: Option<Trigger>,
        #[serde(rename = "actions")]
        _actions: IgnoredAny,
        data: Vec<DataRef>,
        targets: Vec<Target>,
    }
    let ForCards { trigger, data, targets, .. } = ForCards::deserialize(d)?;
    Ok(Intent { trigger, actions: Vec::new(), data, targets })
}

/// The stored keys: those of `CardsPayload` and of the offer (see `flows::offer_of`).
#[derive(Deserialize)]
struct Stored {
    route: Option<ShownRoute>,
    cards: Vec<String>,
    #[serde(default)]
    flow_id: Option<i64>,
    #[serde(default)]
    offer: Option<Offer>,
    #[serde(default)]
    answer_id: Option<i64>,
}

impl ShownPayload {
    /// Empty for plain messages and for a payload that does not read.
    pub fn of(message: &ChatMessage) -> Self {
        let Some(stored) = message.payload.as_deref().and_then(|p| serde_json::from_str::<Stored>(p).ok()) else {
            return Self::default();
        };
        // An offer shows only with the answer it belongs to, as `offer_of` requires.
        let offer = stored.offer.filter(|_| stored.answer_id.is_some()).map(|o| o.label);
        Self { route: stored.route, cards: stored.cards, flow_id: stored.flow_id, offer }
    }

    pub fn selected(&self) -> &[Selected] {
        self.route.as_ref().map_or(&[], |r| &r.selected)
    }

    pub fn asks(&self) -> &[Ask] {
        self.route.as_ref().map_or(&[], |r| &r.asks)
    }
}
