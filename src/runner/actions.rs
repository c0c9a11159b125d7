//! The seam between a run's action steps and the code that calls providers: the action
//! API (`actions/`) implements it for the server, tests can give their own.

use crate::wiring::ConnectionRef;
use futures::future::BoxFuture;
use serde_json::Value;

pub struct ActionCall<'a> {
    pub app_id: i64,
    /// `connector.action`, e.g. `gmail.send_email`.
    pub operation: &'a str,
    pub connection: &'a ConnectionRef,
    pub inputs: &'a Value,
    /// The app user whose action started the run, for app-user connections.
    pub as_user: Option<&'a str>,
}

/// Why a step did not succeed, in words for the run's page.
#[derive(Clone, Debug, PartialEq)]
pub struct StepFailure {
    pub message: String,
    /// A 429, a 5xx or a timeout: trying again later may work. A 4xx will not.
    pub transient: bool,
    /// The provider said when to try again (seconds).
    pub retry_after: Option<u64>,
    /// The connection needs a person (revoked, missing scopes): the flow pauses.
    pub needs_reconnect: Option<String>,
}

impl StepFailure {
    pub fn permanent(message: impl Into<String>) -> Self {
        Self { message: message.into(), transient: false, retry_after: None, needs_reconnect: None }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self { message: message.into(), transient: true, retry_after: None, needs_reconnect: None }
    }
}

/// A connector trigger to poll: `connector.trigger` with its inputs.
pub struct PollCall<'a> {
    pub app_id: i64,
    /// `connector.trigger`, e.g. `gmail.new_email`.
    pub operation: &'a str,
    pub connection: &'a ConnectionRef,
    pub inputs: &'a serde_json::Map<String, Value>,
}

/// One item a poll listed: its id and the item as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct Polled {
    pub id: String,
    pub item: Value,
}

pub trait ActionCaller: Send + Sync {
    /// The action's output (the provider's answer, shaped by its binding).
    fn call<'a>(&'a self, call: ActionCall<'a>) -> BoxFuture<'a, Result<Value, StepFailure>>;

    /// The items the provider lists now for a polled trigger, newest first as it lists
    /// them.
    fn list_items<'a>(&'a self, call: &'a PollCall<'a>) -> BoxFuture<'a, Result<Vec<Polled>, StepFailure>> {
        Box::pin(async move {
            Err(StepFailure::permanent(format!("{} cannot be polled: this server has no action API", call.operation)))
        })
    }

    /// A new item as the trigger's record (read in full first when the binding says so).
    fn item_record<'a>(
        &'a self,
        call: &'a PollCall<'a>,
        item: &'a Polled,
    ) -> BoxFuture<'a, Result<Value, StepFailure>> {
        let _ = item;
        Box::pin(async move {
            Err(StepFailure::permanent(format!("{} cannot be polled: this server has no action API", call.operation)))
        })
    }
}

/// Until an action API is attached: every action step fails, saying so. (The server
/// attaches `actions::Runner`; this stands in where none is.)
pub struct NoActions;

impl ActionCaller for NoActions {
    fn call<'a>(&'a self, call: ActionCall<'a>) -> BoxFuture<'a, Result<Value, StepFailure>> {
        Box::pin(async move {
            Err(StepFailure::permanent(format!(
                "{} cannot be called: this server has no action API attached",
                call.operation
            )))
        })
    }
}
