-- patchbay schema (SQLite). Times are Unix seconds; JSON is stored as TEXT.
-- Keep in step with migrations/postgres/0001_init.sql: the queries are shared.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE apps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    structure   TEXT NOT NULL,
    time_zone   TEXT NOT NULL DEFAULT 'UTC',
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE memberships (
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'app_user')),
    PRIMARY KEY (app_id, user_id)
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE connections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    connector       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('shared', 'app_user')),
    owner_user_id   INTEGER REFERENCES users(id),
    account         TEXT,
    status          TEXT NOT NULL,
    status_reason   TEXT,
    granted_scopes  TEXT NOT NULL DEFAULT '[]',
    sealed_tokens   BLOB,
    expires_at      INTEGER,
    -- When the current tokens were issued: a token is never refreshed before half its life.
    issued_at       INTEGER,
    version         INTEGER NOT NULL DEFAULT 0,
    -- Who is refreshing the tokens right now (one server at a time), and the backoff after
    -- passing failures.
    refresh_lease_until INTEGER,
    refresh_failures    INTEGER NOT NULL DEFAULT 0,
    next_refresh_at     INTEGER,
    connected_by    INTEGER REFERENCES users(id),
    connected_at    INTEGER NOT NULL,
    last_used_at    INTEGER,
    updated_at      INTEGER NOT NULL
);
-- One shared account per connector type per app, whatever the code does.
CREATE UNIQUE INDEX connections_one_shared ON connections (app_id, connector) WHERE kind = 'shared';
CREATE UNIQUE INDEX connections_one_per_user ON connections (app_id, connector, owner_user_id) WHERE kind = 'app_user';
CREATE INDEX connections_expiry ON connections (expires_at) WHERE sealed_tokens IS NOT NULL;

CREATE TABLE pending_authorizations (
    state_hash      TEXT PRIMARY KEY,
    app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    connector       TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scopes          TEXT NOT NULL,
    purpose         TEXT NOT NULL,
    message_id      INTEGER,
    sealed_verifier BLOB,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
);

-- A reconnect that came back with a different account waits here until the builder
-- confirms the switch ("This is b@x.com, not a@x.com — switch to it?").
CREATE TABLE pending_switches (
    id              TEXT PRIMARY KEY,
    connection_id   INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    account         TEXT NOT NULL,
    granted_scopes  TEXT NOT NULL,
    sealed_tokens   BLOB NOT NULL,
    expires_at      INTEGER,
    valid_until     INTEGER NOT NULL
);

CREATE TABLE chat_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id),
    role        TEXT NOT NULL CHECK (role IN ('builder', 'assistant')),
    body        TEXT NOT NULL,
    payload     TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX chat_messages_by_app ON chat_messages (app_id, id);

CREATE TABLE card_states (
    message_id  INTEGER NOT NULL REFERENCES chat_messages(id) ON DELETE CASCADE,
    connector   TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT,
    updated_by  INTEGER REFERENCES users(id),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, connector)
);

CREATE TABLE flows (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'blocked')),
    status_reason   TEXT,
    version         INTEGER NOT NULL,
    message_id      INTEGER REFERENCES chat_messages(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE flow_versions (
    flow_id     INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (flow_id, version)
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id      INTEGER REFERENCES apps(id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users(id),
    action      TEXT NOT NULL,
    connector   TEXT,
    account     TEXT,
    detail      TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX audit_log_by_app ON audit_log (app_id, id);
