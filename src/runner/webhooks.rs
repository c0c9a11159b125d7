//! Webhooks out: failed runs and connection events (connected, refresh failed, revoked,
//! recovered) posted to the app's `webhook_url`, signed like data-source calls
//! (`X-Patchbay-Signature: t=…,v1=…` over `"{t}.{body}"` with the app's secret), and
//! retried with backoff until the backend answers 2xx, as Nango's connection webhooks
//! are. Each is queued in the database first, so a restart loses none.

use super::Runner;
use super::data::signature;
use super::execute::data_secret_context;
use crate::store::{Store, StoreError, now};
use serde_json::{Value, json};

/// Attempts before a delivery is given up.
const MAX_ATTEMPTS: i64 = 8;

/// Queues `event` for the app's webhook (nothing when it has none).
pub async fn emit(store: &Store, app_id: i64, event: &str, data: Value) -> Result<(), StoreError> {
    let payload = json!({
        "event": event,
        "app_id": app_id,
        "at": chrono::DateTime::from_timestamp(now(), 0).map(|t| t.to_rfc3339()),
        "data": data,
    });
    store.enqueue_webhook(app_id, event, &payload.to_string()).await
}

impl Runner {
    /// Delivers what is due; how many were attempted.
    pub async fn deliver_webhooks(&self) -> Result<usize, StoreError> {
        let at = now();
        let due = self.store.claim_deliveries(at, at + 60, 20).await?;
        let n = due.len();
        for (delivery, url) in due {
            let Some(url) = url else {
                self.store.delivery_attempted(delivery.id, Some("the app no longer has a webhook URL"), None).await?;
                continue;
            };
            let (_, sealed) = self.store.app_data_source(delivery.app_id).await?;
            let secret = sealed
                .and_then(|s| self.cipher.open(&s, &data_secret_context(delivery.app_id)).ok())
                .unwrap_or_default();
            let outcome = self
                .http
                .post(&url)
                .header("content-type", "application/json")
                .header("x-patchbay-signature", signature(&secret, at, &delivery.payload))
                .header("x-patchbay-event", &delivery.event)
                .body(delivery.payload.clone())
                .send()
                .await;
            let error = match outcome {
                Ok(r) if r.status().is_success() => None,
                Ok(r) => Some(format!("the backend answered {}", r.status().as_u16())),
                Err(e) => Some(format!("the backend could not be reached: {}", e.without_url())),
            };
            let retry_at =
                (delivery.attempts < MAX_ATTEMPTS).then(|| at + (30_i64 << (delivery.attempts - 1).clamp(0, 10)));
            self.store.delivery_attempted(delivery.id, error.as_deref(), error.as_ref().and(retry_at)).await?;
        }
        Ok(n)
    }
}
