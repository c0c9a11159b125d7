//! Connections: the lifecycle of an app's link to a provider account, and the sealing of
//! its tokens at rest.

mod cipher;
pub mod keys;
mod manager;
pub mod policy;
mod status;
mod tokens;

pub use cipher::{CipherError, TokenCipher, append_key, generate_key, key_file};
pub use manager::{Connections, UseError};
pub use status::Status;
pub use tokens::TokenSet;
