-- Connector policy: an owner allows or blocks, per connector, shared connections and
-- app-user connections. Everything is allowed by default, so a row exists only for a
-- connector where something differs (both allowed again: the row is deleted).
-- Keep in step with migrations/sqlite/0013_connector_policy.sql: the queries are shared.
CREATE TABLE connector_policies (
    app_id      BIGINT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    connector   TEXT NOT NULL,
    -- 1 allowed, 0 blocked.
    shared      BIGINT NOT NULL DEFAULT 1,
    app_user    BIGINT NOT NULL DEFAULT 1,
    updated_by  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, connector)
);
