//! OAuth 2.0: begin (state + PKCE), complete (exchange, account, storage), refresh and
//! revoke, against any provider in the catalog or the built-in sandbox.

pub mod app_user;
pub mod client;
mod flow;
pub mod http;
pub mod provider;
pub mod revoke;

pub use flow::{Begin, BeginError, CallbackError, CallbackQuery, Context, OAuth, Outcome, Purpose};
pub use provider::{Provider, ProviderError};
