-- patchbay as the OAuth 2.1 authorization server of its MCP servers: agents' clients
-- register themselves, a builder of an app grants one access to that app's MCP server, and
-- the client holds tokens bound to it (RFC 8707). Keep in step with
-- migrations/sqlite/0017_mcp_oauth.sql: the queries are shared.

-- A registered client (RFC 7591): public, so no secret; its redirect URIs as a JSON list.
CREATE TABLE mcp_clients (
    client_id      TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    redirect_uris  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- A person's consent: this client may use this app's MCP server, as that person could.
CREATE TABLE mcp_grants (
    id          BIGSERIAL PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES mcp_clients(client_id) ON DELETE CASCADE,
    app_id      BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX mcp_grants_app ON mcp_grants (app_id);

-- Authorization codes, single use, with the PKCE challenge (S256) they were asked with.
CREATE TABLE mcp_codes (
    code_hash       TEXT PRIMARY KEY,
    grant_id        BIGINT NOT NULL REFERENCES mcp_grants(id) ON DELETE CASCADE,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

-- Access tokens (an hour) and refresh tokens (rotated on use), by their SHA-256.
CREATE TABLE mcp_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    BIGINT NOT NULL REFERENCES mcp_grants(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX mcp_tokens_grant ON mcp_tokens (grant_id);
