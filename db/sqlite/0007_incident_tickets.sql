-- Support's side of each incident: status (open → acknowledged → mitigated → resolved), assignee,
-- the runbook version it started with, escalation level reached, the agent's root cause and the
-- post-incident review; the runbook checklist; agents' notes and actions; notices to merchants.
-- Times are epoch milliseconds. Detection's own fields stay in incidents.
CREATE TABLE incident_tickets (
    incident_id           TEXT NOT NULL PRIMARY KEY REFERENCES incidents (id),
    status                TEXT NOT NULL,
    runbook_id            TEXT NOT NULL,
    runbook_version       INTEGER NOT NULL,
    manual                INTEGER NOT NULL DEFAULT 0,
    assignee              TEXT NULL,
    acknowledged_at       INTEGER NULL,
    acknowledged_by       TEXT NULL,
    mitigated_at          INTEGER NULL,
    resolved_at           INTEGER NULL,
    resolved_by           TEXT NULL,
    escalation_level      INTEGER NOT NULL DEFAULT 0,
    confirmed_cause       TEXT NULL,
    confirmed_note        TEXT NULL,
    confirmed_by          TEXT NULL,
    review_summary        TEXT NULL,
    review_impact         TEXT NULL,
    review_follow_ups     TEXT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX ix_incident_tickets_status ON incident_tickets (status);

-- A ticked or skipped runbook step (step_index into the runbook version's steps).
CREATE TABLE incident_steps (
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    step_index   INTEGER NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT NULL,
    done_by      TEXT NOT NULL,
    done_at      INTEGER NOT NULL,
    PRIMARY KEY (incident_id, step_index)
);

-- Agents' notes and every action taken on a ticket (status, assignment, steps, escalations, notices).
CREATE TABLE incident_notes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    author       TEXT NOT NULL
);
CREATE INDEX ix_incident_notes_incident ON incident_notes (incident_id, at);

-- What affected merchants are told (the runbook's merchant template, filled in), in both languages.
CREATE TABLE merchant_notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id  TEXT NOT NULL,
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    text_zh      TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX ix_merchant_notices_merchant ON merchant_notices (merchant_id, created_at);
CREATE UNIQUE INDEX ux_merchant_notices_once ON merchant_notices (incident_id, merchant_id, kind);
