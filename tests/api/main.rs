//! The one integration-test binary: real servers on 127.0.0.1:0, real databases, real
//! test peers started by the tests themselves.

mod pg;
mod store;
mod wiring;
