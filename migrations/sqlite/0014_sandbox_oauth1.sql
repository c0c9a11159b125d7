-- OAuth 1.0a in the sandbox (RFC 5849), SQLite. Temporary credentials (kind 'request')
-- live ten minutes and are spent by the first access-token request; token credentials
-- (kind 'access') stand beside the sandbox grant whose access token they are. A provider
-- must know a token's secret to check signatures, so the secret is kept; the token itself
-- only as its SHA-256 hash, as everywhere in the sandbox.
-- Keep in step with migrations/postgres/0014_sandbox_oauth1.sql: the queries are shared.
CREATE TABLE sandbox_oauth1_tokens (
    token_hash     TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    connector      TEXT NOT NULL,
    secret         TEXT NOT NULL,
    callback       TEXT NOT NULL DEFAULT '',
    verifier_hash  TEXT,
    scopes         TEXT NOT NULL DEFAULT '[]',
    account_email  TEXT,
    account_name   TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX sandbox_oauth1_tokens_expiry ON sandbox_oauth1_tokens (expires_at);

-- Nonces seen with each consumer key and timestamp (RFC 5849 §3.3): a request replayed
-- with the same nonce is refused. Kept as long as a timestamp is accepted.
CREATE TABLE sandbox_oauth1_nonces (
    nonce_key   TEXT PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);
