//! Connections: the lifecycle of an app's link to a provider account, and the sealing of
//! its tokens at rest.

mod cipher;

pub use cipher::{CipherError, TokenCipher};
