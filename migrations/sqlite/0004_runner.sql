-- Running flows (SQLite): when each active scheduled flow runs next, each run with its
-- steps, the built-in data source's records, and per-app settings for the data source and
-- outgoing webhooks. Keep in step with migrations/postgres/0004_runner.sql.

-- One row per active scheduled flow. A server claims a due row with a lease
-- (lease_until) before it records the occurrence, so servers sharing the database do not
-- all work on it; the unique occurrence of `runs` makes each occurrence run once even if
-- a lease expires mid-way.
CREATE TABLE flow_schedules (
    flow_id      INTEGER PRIMARY KEY REFERENCES flows(id) ON DELETE CASCADE,
    cron         TEXT NOT NULL,
    time_zone    TEXT NOT NULL,
    next_run_at  INTEGER NOT NULL,
    lease_until  INTEGER,
    lease_owner  TEXT
);
CREATE INDEX flow_schedules_due ON flow_schedules (next_run_at);

CREATE TABLE runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    flow_id         INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
    app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    flow_version    INTEGER NOT NULL,
    -- schedule | event | button | test | connector
    started_by      TEXT NOT NULL,
    -- The schedule occurrence this run is (Unix seconds), for scheduled runs.
    occurrence_at   INTEGER,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')),
    is_test         INTEGER NOT NULL DEFAULT 0,
    -- The record that started it (events, buttons), as JSON.
    record          TEXT,
    previous        TEXT,
    -- Each step's status, timing, inputs and outputs (redacted, truncated), as JSON.
    steps           TEXT NOT NULL DEFAULT '[]',
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- A queued run waits until then (retries back off); a running one is leased.
    not_before      INTEGER NOT NULL,
    lease_until     INTEGER,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    finished_at     INTEGER
);
CREATE UNIQUE INDEX runs_one_per_occurrence ON runs (flow_id, occurrence_at) WHERE occurrence_at IS NOT NULL;
CREATE INDEX runs_by_flow ON runs (flow_id, id);
CREATE INDEX runs_queue ON runs (status, not_before);

-- The built-in data source: the demo app's records (and any app without its own).
CREATE TABLE app_records (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    entity      TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX app_records_by_entity ON app_records (app_id, entity, id);

-- Where an app's own records live (its backend answers the data-source protocol), the
-- secret that signs those calls, and where failed runs and connection events are posted.
ALTER TABLE apps ADD COLUMN data_url TEXT;
ALTER TABLE apps ADD COLUMN sealed_data_secret BLOB;
ALTER TABLE apps ADD COLUMN webhook_url TEXT;
