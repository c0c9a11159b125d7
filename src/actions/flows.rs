//! Flows call actions through the runner's seam (`runner::actions::ActionCaller`): the
//! same runner as the App API, with its outcomes told apart the way a run needs them —
//! worth retrying (a rate limit, a 5xx, no answer), needing a person (revoked, a missing
//! permission), or simply refused.

use super::{ActionError, Outcome, Runner};
use crate::runner::actions::{ActionCall, ActionCaller, PollCall, Polled, StepFailure};
use crate::wiring::ConnectionKind;
use futures::future::BoxFuture;
use serde_json::Value;

impl ActionCaller for Runner {
    fn call<'a>(&'a self, call: ActionCall<'a>) -> BoxFuture<'a, Result<Value, StepFailure>> {
        Box::pin(async move {
            let Some((connector, action)) = call.operation.split_once('.') else {
                return Err(StepFailure::permanent(format!("'{}' is not <connector>.<action>", call.operation)));
            };
            let per_person = call.connection.kind == ConnectionKind::AppUser;
            let as_user = match (per_person, call.as_user) {
                (false, _) => None,
                (true, Some(person)) => Some(person),
                (true, None) => {
                    return Err(StepFailure::permanent(
                        "this step uses the connection of the app user who started the run, and no app user started it",
                    ));
                }
            };
            let result = match self.run_as(call.app_id, connector, action, call.inputs, as_user).await {
                Ok(outcome) if outcome.ok => return Ok(Value::Object(outcome.output)),
                Ok(outcome) => refused(self, connector, &outcome),
                Err(e) => failure(e),
            };
            // One person's revoked account is theirs to fix: the flow goes on for the others.
            Err(if per_person { StepFailure { needs_reconnect: None, ..result } } else { result })
        })
    }

    fn list_items<'a>(&'a self, call: &'a PollCall<'a>) -> BoxFuture<'a, Result<Vec<Polled>, StepFailure>> {
        self.list_items_now(call)
    }

    fn item_record<'a>(
        &'a self,
        call: &'a PollCall<'a>,
        item: &'a Polled,
    ) -> BoxFuture<'a, Result<Value, StepFailure>> {
        self.item_record_now(call, item)
    }
}

/// The provider refused: retry what may pass, ask a person when the grant is gone.
pub(super) fn refused(runner: &Runner, connector: &str, outcome: &Outcome) -> StepFailure {
    let name = runner.catalog().get(connector).map_or(connector.to_owned(), |c| c.name.clone());
    let said = outcome.error.clone().unwrap_or_default();
    let status = outcome.provider_status;
    let message = if status == 0 { said } else { format!("{name} refused ({status}): {said}") };
    StepFailure {
        transient: status == 0 || status == 429 || status >= 500,
        retry_after: outcome.retry_after,
        needs_reconnect: (status == 401).then(|| format!("{name} no longer accepts this connection: reconnect it")),
        message,
    }
}

pub(super) fn failure(e: ActionError) -> StepFailure {
    let message = e.to_string();
    match e {
        ActionError::MissingPermission { .. }
        | ActionError::Unusable(_)
        | ActionError::Blocked(_)
        | ActionError::NoConnection(_)
        | ActionError::Target(super::target::TargetError::MissingConfig { .. }) => {
            StepFailure { needs_reconnect: Some(message.clone()), ..StepFailure::permanent(message) }
        }
        ActionError::Lookup(_) | ActionError::Store(_) => StepFailure::transient(message),
        _ => StepFailure::permanent(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_permission_asks_for_a_reconnect_and_an_unrunnable_action_is_final() {
        let paused =
            failure(ActionError::MissingPermission { message: "no".into(), missing: vec![], url: String::new() });
        assert!(paused.needs_reconnect.is_some() && !paused.transient);
        let bad = failure(ActionError::NotRunnable("x".into()));
        assert!(bad.needs_reconnect.is_none() && !bad.transient);
    }
}
