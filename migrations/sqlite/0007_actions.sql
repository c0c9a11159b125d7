-- Using a connection (SQLite): what a connection needs besides its token, each call made
-- with it, and the sandbox's record of what apps did through it.
-- Keep in step with migrations/postgres/0007_actions.sql: the queries are shared.

-- A JSON object: values a provider's API needs besides the token (a Shopify shop the builder
-- typed, an Atlassian site id looked up once with the token).
ALTER TABLE connections ADD COLUMN config TEXT NOT NULL DEFAULT '{}';
-- What the builder typed for a provider on the customer's own host, between the Connect
-- button and the callback.
ALTER TABLE pending_authorizations ADD COLUMN config TEXT NOT NULL DEFAULT '{}';

-- One row per action run or proxied call, for "recent use" on My integrations. `error`
-- is the provider's message in words, never a token or a request body.
CREATE TABLE connection_calls (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    connection_id   INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    via             TEXT NOT NULL CHECK (via IN ('action', 'proxy')),
    operation       TEXT,
    status          INTEGER NOT NULL,
    ok              INTEGER NOT NULL,
    error           TEXT,
    at              INTEGER NOT NULL
);
CREATE INDEX connection_calls_recent ON connection_calls (connection_id, at);
CREATE INDEX connection_calls_by_time ON connection_calls (at);

-- The Sandbox outbox: each call the sandbox played, decoded into readable form.
CREATE TABLE sandbox_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    connector   TEXT NOT NULL,
    operation   TEXT,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      INTEGER NOT NULL,
    summary     TEXT NOT NULL,
    body        TEXT NOT NULL,
    at          INTEGER NOT NULL
);

-- Failures a developer or a test asked the sandbox to play on the next calls to a
-- connector: 'unauthorized' (401), 'rate_limited' (429 with Retry-After), 'provider_error'.
CREATE TABLE sandbox_faults (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    connector   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('unauthorized', 'rate_limited', 'provider_error')),
    remaining   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX sandbox_faults_by_connector ON sandbox_faults (connector, id);
