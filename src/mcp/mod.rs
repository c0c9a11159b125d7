//! An MCP server per app (`/mcp/apps/{app_id}`, Streamable HTTP, spec 2025-11-25): AI agents
//! reach the app's connected tools through it. `search_tools` finds the action for a task
//! with the router; `execute` runs it as the App API does; each connected tool's actions are
//! listed too. When a tool is not connected, the answer links to where a person connects it.
//!
//! One job per file: `endpoint` (the key, the transport), `server` (list and dispatch,
//! audit), `calls` (the meta-tools), `tools` (names and schemas), `search` (ranking
//! actions), `authorize` (what a person must grant, and where), `rules` (what the app's
//! owner pins, hides or wants confirmed), `confirm` (write calls waiting for a person), `person` (acting for one
//! of the app's users), `session` (what a client's session remembers), `caller` (a key or an
//! authorized agent), `oauth` (patchbay as the agents' authorization server).

pub mod authorize;
mod caller;
mod calls;
mod confirm;
pub mod endpoint;
pub mod oauth;
mod person;
pub mod rules;
pub mod search;
mod server;
mod session;
pub mod tools;

pub use server::{McpServer, PROTOCOL};
