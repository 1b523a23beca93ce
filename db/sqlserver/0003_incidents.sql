-- Incidents opened by detection (fields of replay.md), what each affects, its timeline, planned
-- maintenance windows and the detection engine's learned baselines. Times are epoch milliseconds.
-- seq is the number inside the id (inc-000042 -> 42): detection continues the sequence after a restart.
CREATE TABLE incidents (
    id                  NVARCHAR(64) NOT NULL PRIMARY KEY,
    seq                 BIGINT NOT NULL,
    scope_type          NVARCHAR(16) NOT NULL,
    scope_id            NVARCHAR(64) NOT NULL,
    cause               NVARCHAR(16) NOT NULL,
    severity            NVARCHAR(16) NOT NULL,
    opened_at           BIGINT NOT NULL,
    resolved_at         BIGINT NULL,
    runbook_id          NVARCHAR(64) NOT NULL,
    title               NVARCHAR(1000) NOT NULL,
    evidence            NVARCHAR(MAX) NOT NULL,
    affected_merchants  INT NOT NULL,
    affected_terminals  INT NOT NULL,
    peak_rate           FLOAT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX ix_incidents_opened ON incidents (opened_at);
CREATE INDEX ix_incidents_resolved ON incidents (resolved_at);

-- One row per affected terminal, with its merchant; a merchant counted without any terminal has
-- terminal_id ''. Lets "incidents that touch merchant X" be one indexed lookup.
CREATE TABLE incident_affected (
    incident_id  NVARCHAR(64) NOT NULL REFERENCES incidents (id),
    merchant_id  NVARCHAR(64) NOT NULL,
    terminal_id  NVARCHAR(64) NOT NULL,
    PRIMARY KEY (incident_id, merchant_id, terminal_id)
);
CREATE INDEX ix_incident_affected_merchant ON incident_affected (merchant_id, incident_id);

-- What happened to an incident, oldest first: opened, updated, resolved (later: acknowledged, notes).
CREATE TABLE incident_events (
    id                  BIGINT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    incident_id         NVARCHAR(64) NOT NULL REFERENCES incidents (id),
    at                  BIGINT NOT NULL,
    kind                NVARCHAR(16) NOT NULL,
    severity            NVARCHAR(16) NOT NULL,
    title               NVARCHAR(1000) NOT NULL,
    affected_merchants  INT NOT NULL,
    affected_terminals  INT NOT NULL
);
CREATE INDEX ix_incident_events_incident ON incident_events (incident_id, at);

-- kind: one-off (starts_at/ends_at), daily or weekly (local_start + duration_minutes, on weekdays
-- such as 'mon,thu' for weekly; starts_at/ends_at then bound the days the rule applies).
CREATE TABLE maintenance_windows (
    id                NVARCHAR(64) NOT NULL PRIMARY KEY,
    scope_type        NVARCHAR(16) NOT NULL,
    scope_id          NVARCHAR(64) NOT NULL,
    kind              NVARCHAR(16) NOT NULL,
    starts_at         BIGINT NULL,
    ends_at           BIGINT NULL,
    local_start       NVARCHAR(5) NULL,
    duration_minutes  INT NULL,
    weekdays          NVARCHAR(32) NULL,
    time_zone         NVARCHAR(64) NULL,
    reason            NVARCHAR(500) NOT NULL,
    created_by        NVARCHAR(128) NOT NULL,
    created_at        BIGINT NOT NULL
);

-- A single row (id = 1): the engine's exported BaselineState as JSON.
CREATE TABLE detection_baselines (
    id        INT NOT NULL PRIMARY KEY,
    state     NVARCHAR(MAX) NOT NULL,
    saved_at  BIGINT NOT NULL
);
