//! Old records go: expired sessions (agents' MCP sessions after a day idle), sign-in
//! requests, setup codes, pending authorizations and failed sign-in counts at once; the
//! audit log after `retention.audit_log_days` (with the record of calls made with
//! connections), finished runs after `retention.runs_days`.

use super::{Store, StoreResult, now};
use crate::config::Settings;

pub async fn purge(store: &Store, settings: &Settings) -> StoreResult<()> {
    let at = now();
    store.purge_expired_pending(at).await?;
    store.purge_expired_sessions(at).await?;
    store.purge_idle_mcp_sessions(at).await?;
    store.purge_expired_mcp_oauth(at).await?;
    store.purge_expired_sign_in(at).await?;
    store.purge_sign_in_failures(at - settings.auth.failure_window_secs).await?;
    if settings.retention.runs_days > 0 {
        store.purge_runs_before(at - settings.retention.runs_days * 86_400).await?;
    }
    if settings.retention.audit_log_days > 0 {
        store.purge_audit_before(at - settings.retention.audit_log_days * 86_400).await?;
        store.purge_calls_before(at - settings.retention.audit_log_days * 86_400).await?;
    }
    Ok(())
}
