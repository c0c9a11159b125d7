//! Connections: the lifecycle of an app's link to a provider account, and the sealing of
//! its tokens at rest.

mod cipher;
mod manager;
mod status;
mod tokens;

pub use cipher::{CipherError, TokenCipher};
pub use manager::{Connections, UseError};
pub use status::Status;
pub use tokens::TokenSet;
