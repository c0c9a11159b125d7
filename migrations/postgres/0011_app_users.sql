-- App user connectors: each person who uses the published app connects their own account.
-- Keep in step with migrations/sqlite/0011_app_users.sql: the queries are shared.

-- An editor sets a connector up once per app: the scopes each person grants, and the
-- app's own OAuth client where the provider requires one (else the server's).
CREATE TABLE app_user_connectors (
    app_id               BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    connector            TEXT NOT NULL,
    scopes               TEXT NOT NULL DEFAULT '[]',
    client_id            TEXT,
    sealed_client_secret BYTEA,
    created_by           BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at           BIGINT NOT NULL,
    PRIMARY KEY (app_id, connector)
);

-- The host's own reference for the person (its user id), never a patchbay account.
ALTER TABLE connections ADD COLUMN user_ref TEXT;
CREATE UNIQUE INDEX connections_one_per_app_user ON connections (app_id, connector, user_ref) WHERE kind = 'app_user';

-- A single-use, short-lived link the host's backend asks for, stored only as a hash.
-- `used_at` is set when the person continues to the provider: a second use is refused.
CREATE TABLE connect_sessions (
    token_hash  TEXT PRIMARY KEY,
    app_id      BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_ref    TEXT NOT NULL,
    connector   TEXT NOT NULL,
    return_url  TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    -- The hash of a cookie set in the browser that used it: the provider's callback
    -- must come back to that same browser.
    browser_hash TEXT,
    -- While at the provider: the OAuth state (hash), its sealed PKCE verifier, the scopes.
    state_hash   TEXT UNIQUE,
    sealed_verifier BYTEA,
    scopes      TEXT
);
CREATE INDEX connect_sessions_expiry ON connect_sessions (expires_at);

