//! The one integration-test binary: real servers on 127.0.0.1:0, real databases, real
//! test peers started by the tests themselves.

/// Declares each check once and runs it on SQLite and on PostgreSQL (the PostgreSQL leg
/// needs the cluster `scripts/test` starts; see `pg.rs`).
macro_rules! on_both_backends {
    ($($check:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $check() {
                    let (store, _dir) = crate::pg::fresh_sqlite().await;
                    super::$check(&store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $check() {
                    let Some(store) = crate::pg::fresh_postgres().await else { return };
                    super::$check(&store).await;
                }
            )*
        }
    };
}

/// Declares each check (an async fn taking the `TestApp`) once and runs it on a server
/// with SQLite and on one with a fresh PostgreSQL database (when `scripts/test` runs a
/// cluster). `$adjust` is the module's `fn(&mut Settings)` for what its checks need.
macro_rules! on_both_servers {
    ($adjust:ident; $($check:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $check() {
                    super::$check(crate::helpers::TestApp::spawn_with(super::$adjust).await).await;
                }
            )*
        }
        mod on_postgresql {
            $(
                #[tokio::test]
                async fn $check() {
                    let Some(app) = crate::helpers::TestApp::on_postgres(super::$adjust).await else { return };
                    super::$check(app).await;
                }
            )*
        }
    };
}

mod accessibility;
mod actions;
pub mod app_users;
mod asks;
pub mod browser;
mod cli;
mod credentials;
mod custom_apis;
mod flows;
mod guards;
mod helpers;
mod identity;
mod integrations;
mod keys;
mod llm;
pub mod mcp;
mod oauth;
mod oauth1;
mod pages;
mod peers;
mod pg;
mod policy;
mod polling;
mod properties;
mod revocation;
mod runner;
pub mod sandbox;
mod settings;
mod sso;
mod store;
mod token_keys;
mod wiring;
