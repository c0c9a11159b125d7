-- What an app's owner decides for AI agents on its MCP server. Keep in step with
-- migrations/sqlite/0015_agents.sql: the queries are shared.

-- Write actions wait for a person's confirmation when `confirm_writes` is 1.
CREATE TABLE agent_settings (
    app_id          BIGINT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
    confirm_writes  BIGINT NOT NULL DEFAULT 0,
    updated_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at      BIGINT NOT NULL
);

-- Per action (`gmail.send_email`): `pinned` lists it whether or not its tool is connected,
-- `hidden` keeps it from agents altogether. No row: listed when its tool is connected.
CREATE TABLE agent_tool_rules (
    app_id  BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    action  TEXT NOT NULL,
    rule    TEXT NOT NULL CHECK (rule IN ('pinned', 'hidden')),
    PRIMARY KEY (app_id, action)
);

-- One call an agent asked to make, waiting for a person: the exact action and inputs
-- (their hash finds it again when the agent retries), single use once approved.
CREATE TABLE agent_confirmations (
    token_hash   TEXT PRIMARY KEY,
    app_id       BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    inputs       TEXT NOT NULL,
    inputs_hash  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    -- approved | refused, with who decided; NULL while it waits.
    decision     TEXT,
    decided_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    used_at      BIGINT
);
CREATE INDEX agent_confirmations_call ON agent_confirmations (app_id, action, inputs_hash);
