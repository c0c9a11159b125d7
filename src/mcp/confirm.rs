//! Write actions waiting for a person, when the app's owner asks for it (Settings → Agents).
//! The agent's first call answers with the page where a person sees the exact call in
//! words and approves it once; the agent's retry with the same inputs then runs, and only
//! that once. The approval is bound to the action and a hash of its inputs.

use super::calls::{Called, Link};
use super::server::McpServer;
use crate::digest::{random_token, sha256_hex};
use crate::store::{NewConfirmation, StoreError, now};
use serde_json::{Value, json};

/// How long a person has to answer, and the approval to be used.
const WAIT_SECS: i64 = 15 * 60;

/// `None` when the call may run now (a person approved exactly this call, which is used
/// up); otherwise the answer that sends the agent to a person.
pub async fn gate(server: &McpServer, action: &str, name: &str, inputs: &Value) -> Result<Option<Called>, StoreError> {
    let store = &server.state.store;
    // serde_json's maps keep their keys sorted: the same inputs always hash the same.
    let text = inputs.to_string();
    let inputs_hash = sha256_hex(&text);
    if store.use_approval(server.app.id, action, &inputs_hash).await? {
        return Ok(None);
    }
    let token = random_token();
    let waiting = NewConfirmation {
        token_hash: &sha256_hex(&token),
        app_id: server.app.id,
        action,
        inputs: &text,
        inputs_hash: &inputs_hash,
        expires_at: now() + WAIT_SECS,
    };
    store.insert_confirmation(waiting).await?;
    let url = format!("{}/apps/{}/agents/confirm/{token}", server.state.settings.public_url(), server.app.id);
    let message = format!(
        "{name} changes things, so this app asks a person to confirm it first. Ask them to open {url} and approve \
         it, then call again with the same inputs (within 15 minutes)."
    );
    let value = json!({"error": "confirmation_required", "message": message, "action": action, "url": url});
    let link = Link { message: format!("The agent asks to run \"{name}\". Approve or refuse this call."), url };
    Ok(Some(Called::waiting(value, &message, action, link)))
}
