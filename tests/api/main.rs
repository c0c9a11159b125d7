//! The one integration-test binary: real servers on 127.0.0.1:0, real databases, real
//! test peers started by the tests themselves.

mod browser;
mod cli;
mod flows;
mod helpers;
mod integrations;
mod llm;
mod oauth;
mod pages;
mod peers;
mod pg;
pub mod sandbox;
mod store;
mod wiring;
