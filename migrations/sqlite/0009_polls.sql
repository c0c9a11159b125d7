-- Connector triggers that poll the provider. Keep in step with
-- migrations/postgres/0009_polls.sql: the queries are shared.

-- One row per active flow with a connector trigger: when it is polled next, claimed with
-- a lease like flow_schedules. `trigger_key` is the trigger and its inputs: when they
-- change, the flow starts over with a first poll that only records what is there
-- (`primed` = 0), so turning a flow on never replays the inbox.
CREATE TABLE flow_polls (
    flow_id         INTEGER PRIMARY KEY REFERENCES flows(id) ON DELETE CASCADE,
    trigger_key     TEXT NOT NULL,
    next_poll_at    INTEGER NOT NULL,
    primed          INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER,
    lease_owner     TEXT,
    last_polled_at  INTEGER,
    -- The last provider error in plain words, until a poll succeeds again.
    last_error      TEXT
);
CREATE INDEX flow_polls_due ON flow_polls (next_poll_at);

-- Runs: `started_by` is `connector` for a run a new item started, `poll` for a poll
-- that failed (recorded finished, with the error in words).

-- The cursor: every item id a flow has seen. The primary key is what makes each item
-- start at most one run, whichever server polled it.
CREATE TABLE poll_items (
    flow_id   INTEGER NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
    item_id   TEXT NOT NULL,
    -- The run it started; NULL for items found by the first poll.
    run_id    INTEGER,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (flow_id, item_id)
);

-- Items the sandbox lists for connector triggers besides the catalog's own, added by
-- POST /sandbox/items. `matches` is {input: value} (or "*") for the filters they pass.
CREATE TABLE sandbox_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    connector   TEXT NOT NULL,
    trigger_id  TEXT NOT NULL,
    item        TEXT NOT NULL,
    matches     TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);
CREATE INDEX sandbox_items_by_trigger ON sandbox_items (connector, trigger_id, id);
