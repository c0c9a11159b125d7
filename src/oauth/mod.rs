//! OAuth 2.0 and OAuth 1.0a: begin (state + PKCE), complete (exchange, account, storage), refresh and
//! revoke, against any provider in the catalog or the built-in sandbox.

pub mod app_user;
pub mod client;
mod flow;
pub mod http;
pub mod oauth1;
pub mod provider;
pub mod revoke;
pub mod signature;

pub use flow::{Begin, BeginError, CallbackError, CallbackQuery, Context, OAuth, Outcome, Purpose};
pub use provider::{Provider, ProviderError};
