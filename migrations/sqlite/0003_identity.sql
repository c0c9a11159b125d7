-- Real identities (SQLite): passwords, sign-in throttling, the first-owner setup code,
-- invitations, single sign-on requests, app keys for the host's backend, and facts the
-- servers sharing this database must agree on (the token key's fingerprint).
-- Keep in step with migrations/postgres/0003_identity.sql: the queries are shared.

-- An Argon2id PHC string; NULL for people who sign in only through single sign-on or,
-- in development, the demo people.
ALTER TABLE users ADD COLUMN password_hash TEXT;
-- "issuer subject" of the single sign-on identity linked to this person.
ALTER TABLE users ADD COLUMN sso_subject TEXT;
CREATE UNIQUE INDEX users_sso_subject ON users (sso_subject) WHERE sso_subject IS NOT NULL;

-- Failed sign-ins, counted per account ("email:…") and per client address ("addr:…") in
-- the database, so that the limit holds however many servers share it.
CREATE TABLE sign_in_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    subject     TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_subject ON sign_in_failures (subject, at);

-- One-time codes that open /setup while there is nobody yet; each server prints its own.
CREATE TABLE setup_codes (
    code_hash   TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT NOT NULL UNIQUE,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'app_user')),
    invited_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX invitations_by_app ON invitations (app_id, id);

-- A single sign-on round trip in flight: state, nonce and the PKCE verifier, single use.
CREATE TABLE sign_in_requests (
    state_hash      TEXT PRIMARY KEY,
    nonce           TEXT NOT NULL,
    sealed_verifier BLOB NOT NULL,
    next            TEXT NOT NULL,
    invitation      TEXT,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
);

-- Keys for the host's backend; only the SHA-256 of a key is kept.
CREATE TABLE app_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id       INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    -- The key's last characters, so a person can tell two keys apart.
    hint         TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX app_keys_by_app ON app_keys (app_id, id);

ALTER TABLE audit_log ADD COLUMN key_id INTEGER;
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Facts every server sharing the database must agree on: the token key fingerprints.
CREATE TABLE server_facts (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
