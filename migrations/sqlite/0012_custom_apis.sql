-- Custom APIs an editor imported from an OpenAPI document. Keep in step with
-- migrations/postgres/0012_custom_apis.sql: the queries are shared.

-- `connector` is `custom_<slug>`, the id its actions and proxy calls use; the secret is the
-- sealed token of the app's shared connection with that id. `spec` holds the chosen
-- operations and how the secret is sent (JSON); the host in `base_url` is fixed at import.
CREATE TABLE custom_apis (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    connector   TEXT NOT NULL,
    name        TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    spec        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX custom_apis_one_per_id ON custom_apis (app_id, connector);
