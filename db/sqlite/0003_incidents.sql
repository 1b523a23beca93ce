-- Incidents opened by detection (fields of replay.md), what each affects, its timeline, planned
-- maintenance windows and the detection engine's learned baselines. Times are epoch milliseconds.
-- seq is the number inside the id (inc-000042 -> 42): detection continues the sequence after a restart.
CREATE TABLE incidents (
    id                  TEXT NOT NULL PRIMARY KEY,
    seq                 INTEGER NOT NULL,
    scope_type          TEXT NOT NULL,
    scope_id            TEXT NOT NULL,
    cause               TEXT NOT NULL,
    severity            TEXT NOT NULL,
    opened_at           INTEGER NOT NULL,
    resolved_at         INTEGER NULL,
    runbook_id          TEXT NOT NULL,
    title               TEXT NOT NULL,
    evidence            TEXT NOT NULL,
    affected_merchants  INTEGER NOT NULL,
    affected_terminals  INTEGER NOT NULL,
    peak_rate           REAL NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX ix_incidents_opened ON incidents (opened_at);
CREATE INDEX ix_incidents_resolved ON incidents (resolved_at);

-- One row per affected terminal, with its merchant; a merchant counted without any terminal has
-- terminal_id ''. Lets "incidents that touch merchant X" be one indexed lookup.
CREATE TABLE incident_affected (
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    merchant_id  TEXT NOT NULL,
    terminal_id  TEXT NOT NULL,
    PRIMARY KEY (incident_id, merchant_id, terminal_id)
);
CREATE INDEX ix_incident_affected_merchant ON incident_affected (merchant_id, incident_id);

-- What happened to an incident, oldest first: opened, updated, resolved (later: acknowledged, notes).
CREATE TABLE incident_events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id         TEXT NOT NULL REFERENCES incidents (id),
    at                  INTEGER NOT NULL,
    kind                TEXT NOT NULL,
    severity            TEXT NOT NULL,
    title               TEXT NOT NULL,
    affected_merchants  INTEGER NOT NULL,
    affected_terminals  INTEGER NOT NULL
);
CREATE INDEX ix_incident_events_incident ON incident_events (incident_id, at);

-- kind: one-off (starts_at/ends_at), daily or weekly (local_start + duration_minutes, on weekdays
-- such as 'mon,thu' for weekly; starts_at/ends_at then bound the days the rule applies).
CREATE TABLE maintenance_windows (
    id                TEXT NOT NULL PRIMARY KEY,
    scope_type        TEXT NOT NULL,
    scope_id          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    starts_at         INTEGER NULL,
    ends_at           INTEGER NULL,
    local_start       TEXT NULL,
    duration_minutes  INTEGER NULL,
    weekdays          TEXT NULL,
    time_zone         TEXT NULL,
    reason            TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL
);

-- A single row (id = 1): the engine's exported BaselineState as JSON.
CREATE TABLE detection_baselines (
    id        INTEGER NOT NULL PRIMARY KEY,
    state     TEXT NOT NULL,
    saved_at  INTEGER NOT NULL
);
