-- MCP sessions: what an agent's client said about itself when it started (initialize),
-- kept in the database so any patchbay instance answers its later requests alike. Keep in
-- step with migrations/postgres/0016_mcp_sessions.sql: the queries are shared.
CREATE TABLE mcp_sessions (
    -- SHA-256 of the Mcp-Session-Id the client holds; never the id itself.
    id_hash          TEXT PRIMARY KEY,
    app_id           INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    -- Who opened it: `key:<app key id>`, or `grant:<agent grant id>` (OAuth).
    caller           TEXT NOT NULL,
    protocol_version TEXT NOT NULL,
    -- 1 when the client can open a link for its user (URL-mode elicitation).
    url_elicitation  INTEGER NOT NULL DEFAULT 0,
    -- A digest of the tool list as the client last knew it: at initialize, or its last
    -- tools/list. A change from it is told to the client once.
    tools_digest     TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL
);
CREATE INDEX mcp_sessions_seen ON mcp_sessions (last_seen_at);
