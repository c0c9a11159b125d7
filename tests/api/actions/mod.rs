//! Using a connection: the App API's connections, proxy and actions, against the sandbox
//! (a real peer that plays each provider's API) and against wiremock stubs that check the
//! exact request each provider documents.

mod api;
mod every_binding;
pub mod fixture;
mod flows;
mod newcomer;
mod own_host;
mod pages;
mod providers;
mod proxy;
mod secrets;
