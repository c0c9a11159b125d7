//! The MCP server of one app, as one request sees it: which app, which key, which session.
//! It lists the tools and answers tool calls; every call goes to the audit log with its
//! outcome. It keeps nothing between requests, so any patchbay instance can answer any
//! request.

use super::caller::Caller;
use super::calls::{self, Called, Link};
use super::rules::AgentRules;
use super::session::{self, Session};
use super::tools::{self, EXECUTE, SEARCH};
use crate::http::AppState;
use crate::store::{AppRow, StoreError};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorCode, Implementation, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::sync::Arc;

/// The newest protocol revision this server follows: its handshake and its stateless
/// Streamable HTTP.
pub const PROTOCOL: ProtocolVersion = ProtocolVersion::V_2025_11_25;

#[derive(Clone)]
pub struct McpServer {
    pub(super) state: AppState,
    pub(super) app: Arc<AppRow>,
    pub(super) caller: Caller,
    /// The app user an in-app agent acts for (`X-Patchbay-As-User`), if any.
    pub(super) as_user: Option<String>,
    /// The client's session, when it keeps one.
    session: Option<Session>,
}

impl McpServer {
    pub fn new(state: AppState, app: AppRow, caller: Caller) -> Self {
        Self { state, app: Arc::new(app), caller, as_user: None, session: None }
    }

    pub fn in_session(mut self, session: Option<Session>) -> Self {
        self.session = session;
        self
    }

    /// The same server, acting for one of the app's users.
    pub fn acting_for(mut self, person: Option<String>) -> Self {
        self.as_user = person;
        self
    }

    /// The connectors this app has a usable shared connection to.
    pub(super) async fn connected(&self) -> Result<Vec<String>, StoreError> {
        let rows = self.state.store.connections_of_app(self.app.id).await?;
        // A connector the app's owner blocked is as good as not connected: its tools go.
        let policy = crate::connections::policy::Policy::load(&self.state.store, self.app.id).await?;
        // Acting for a person: their own connections count too.
        let person = self.as_user.as_deref();
        Ok(rows
            .into_iter()
            .filter(|r| {
                r.kind == "shared" || (r.kind == "app_user" && r.user_ref.as_deref() == person && person.is_some())
            })
            .filter(|r| crate::connections::Status::parse(&r.status).is_healthy())
            .filter(|r| {
                policy.allows(
                    &r.connector,
                    crate::connections::policy::Kind::parse(&r.kind)
                        .unwrap_or(crate::connections::policy::Kind::Shared),
                )
            })
            .map(|r| r.connector)
            .collect())
    }

    /// The tools this app offers its agents now.
    async fn tools(&self) -> Result<Vec<Tool>, StoreError> {
        let connected = self.connected().await?;
        let rules = AgentRules::load(&self.state.store, self.app.id).await?;
        // The app's own APIs (imported from OpenAPI documents) list their actions too.
        let own = crate::custom::app_catalog(&self.state.store, &self.state.catalog, self.app.id).await?;
        let catalog = own.as_ref().unwrap_or(&self.state.catalog);
        Ok(tools::listed(catalog, &connected, &rules))
    }

    /// What identifies the tool list to a client now.
    pub(super) async fn tools_digest(&self) -> Result<String, StoreError> {
        Ok(session::digest(&self.tools().await?))
    }

    /// After a call: when the tools differ from the list the session's client was told
    /// (the call connected a tool, or a person did meanwhile), tell it, once.
    async fn tell_list_changes(&self, context: &RequestContext<RoleServer>) -> Result<(), StoreError> {
        let Some(session) = &self.session else { return Ok(()) };
        let digest = self.tools_digest().await?;
        if session.told_other_tools(&digest) {
            if let Err(e) = context.peer.notify_tool_list_changed().await {
                tracing::debug!(error = %e, "the client went before it heard the tool list changed");
                return Ok(());
            }
            session.remember_tools(&self.state.store, &digest).await?;
        }
        Ok(())
    }

    async fn audit(&self, tool: &str, called: &Result<Called, ErrorData>) {
        let (connector, outcome) = match called {
            Ok(c) => (c.connector.as_deref(), c.outcome.clone()),
            Err(e) => (None, format!("error: {}", e.message)),
        };
        // The tool name is the client's to choose: a bounded piece of it is enough.
        let tool: String = tool.chars().take(80).collect();
        let detail: String = format!("{tool}: {outcome}").chars().take(300).collect();
        if let Err(e) = self.caller.audit(&self.state.store, self.app.id, connector, &detail).await {
            tracing::warn!(app = self.app.id, error = %e, "could not audit an MCP tool call");
        }
    }
}

/// A store failure as a JSON-RPC internal error: logged here, no details to the client.
pub(super) fn internal(e: StoreError) -> ErrorData {
    tracing::error!(error = %e, "the MCP server could not read the store");
    ErrorData::internal_error("patchbay could not answer this call; try again", None)
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let info = Implementation::new("patchbay", env!("CARGO_PKG_VERSION"))
            .with_title(format!("patchbay · {}", self.app.name))
            .with_description("The outside tools this app has connected through patchbay");
        let capabilities = ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build();
        ServerConfig::new(capabilities).with_protocol_version(PROTOCOL).with_server_info(info).with_instructions(
            "Call search_tools with the task in plain words to find the action that does it, then \
                 execute with its id and inputs. Actions of tools this app has connected are also listed \
                 as their own tools. When a tool is not connected, execute answers with a link a person \
                 opens to connect it; call again once they have.",
        )
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&PROTOCOL))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self.tools().await.map_err(internal)?;
        if let Some(session) = &self.session {
            session.remember_tools(&self.state.store, &session::digest(&tools)).await.map_err(internal)?;
        }
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        let called = match name.as_str() {
            SEARCH => calls::search(self, &args).await,
            EXECUTE => match args.get("action") {
                Some(Value::String(target)) => {
                    let inputs = match args.get("inputs") {
                        // Models now and then send the inputs object as a JSON string.
                        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                            Ok(object @ Value::Object(_)) => object,
                            _ => Value::String(text.clone()),
                        },
                        Some(other) => other.clone(),
                        None => Value::Null,
                    };
                    calls::execute(self, target, &inputs).await
                }
                _ => Ok(Called::refused(
                    None,
                    "execute needs \"action\" (an id from search_tools, e.g. gmail.send_email) and \"inputs\"",
                )),
            },
            other => match tools::split_target(other).filter(|_| other.contains("__")) {
                Some(_) => calls::execute(self, other, &Value::Object(args)).await,
                None => Err(ErrorData::invalid_params(
                    format!("there is no tool '{other}': tools/list names them, search_tools finds more"),
                    None,
                )),
            },
        };
        self.audit(&name, &called).await;
        self.tell_list_changes(&context).await.map_err(internal)?;
        let called = called?;
        match called.link {
            Some(link) if self.session.as_ref().is_some_and(|s| s.opens_links) => Err(url_elicitation(link)),
            _ => Ok(called.result.into()),
        }
    }
}

/// The 2025-11-25 answer for "a person must open a page first" to a client that opens
/// pages itself (URLElicitationRequiredError): it shows the page, and retries once the
/// person is done. Others get the same as a tool error whose text carries the link.
fn url_elicitation(link: Link) -> ErrorData {
    let elicitation = json!({
        "mode": "url",
        "elicitationId": crate::digest::random_token(),
        "url": link.url,
        "message": link.message,
    });
    let data = json!({ "elicitations": [elicitation] });
    ErrorData::new(ErrorCode(URL_ELICITATION_REQUIRED), link.message, Some(data))
}

const URL_ELICITATION_REQUIRED: i32 = -32042;
