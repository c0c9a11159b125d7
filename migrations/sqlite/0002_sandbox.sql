-- The built-in sandbox authorization server (SQLite). Only SHA-256 hashes of codes and
-- tokens are stored, so a copy of the database hands out nothing.
-- Keep in step with migrations/postgres/0002_sandbox.sql: the queries are shared.

-- Authorization codes: single use (used_at is set on the first redemption and kept until
-- expiry, so that a replay can be recognised and what the code issued revoked).
CREATE TABLE sandbox_codes (
    code_hash       TEXT PRIMARY KEY,
    connector       TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    account_email   TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER,
    grant_id        INTEGER
);
CREATE INDEX sandbox_codes_expiry ON sandbox_codes (expires_at);

-- One consent: the account chosen, the scopes granted, and the current refresh token.
-- Rotation replaces refresh_hash; revocation deletes the row and, with it, its access tokens.
CREATE TABLE sandbox_grants (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    connector       TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    account_email   TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    refresh_hash    TEXT NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    rotated_at      INTEGER
);

CREATE TABLE sandbox_access_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    INTEGER NOT NULL REFERENCES sandbox_grants(id) ON DELETE CASCADE,
    scopes      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sandbox_access_tokens_grant ON sandbox_access_tokens (grant_id);
CREATE INDEX sandbox_access_tokens_expiry ON sandbox_access_tokens (expires_at);
