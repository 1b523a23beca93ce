-- Support's side of each incident: status (open → acknowledged → mitigated → resolved), assignee,
-- the runbook version it started with, escalation level reached, the agent's root cause and the
-- post-incident review; the runbook checklist; agents' notes and actions; notices to merchants.
-- Times are epoch milliseconds. Detection's own fields stay in incidents.
CREATE TABLE incident_tickets (
    incident_id           NVARCHAR(64) NOT NULL PRIMARY KEY REFERENCES incidents (id),
    status                NVARCHAR(16) NOT NULL,
    runbook_id            NVARCHAR(64) NOT NULL,
    runbook_version       INT NOT NULL,
    manual                BIT NOT NULL DEFAULT 0,
    assignee              NVARCHAR(200) NULL,
    acknowledged_at       BIGINT NULL,
    acknowledged_by       NVARCHAR(200) NULL,
    mitigated_at          BIGINT NULL,
    resolved_at           BIGINT NULL,
    resolved_by           NVARCHAR(200) NULL,
    escalation_level      INT NOT NULL DEFAULT 0,
    confirmed_cause       NVARCHAR(16) NULL,
    confirmed_note        NVARCHAR(2000) NULL,
    confirmed_by          NVARCHAR(200) NULL,
    review_summary        NVARCHAR(MAX) NULL,
    review_impact         NVARCHAR(MAX) NULL,
    review_follow_ups     NVARCHAR(MAX) NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX ix_incident_tickets_status ON incident_tickets (status);

-- A ticked or skipped runbook step (step_index into the runbook version's steps).
CREATE TABLE incident_steps (
    incident_id  NVARCHAR(64) NOT NULL REFERENCES incidents (id),
    step_index   INT NOT NULL,
    state        NVARCHAR(16) NOT NULL,
    reason       NVARCHAR(2000) NULL,
    done_by      NVARCHAR(200) NOT NULL,
    done_at      BIGINT NOT NULL,
    PRIMARY KEY (incident_id, step_index)
);

-- Agents' notes and every action taken on a ticket (status, assignment, steps, escalations, notices).
CREATE TABLE incident_notes (
    id           BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    incident_id  NVARCHAR(64) NOT NULL REFERENCES incidents (id),
    at           BIGINT NOT NULL,
    kind         NVARCHAR(32) NOT NULL,
    text         NVARCHAR(MAX) NOT NULL,
    author       NVARCHAR(200) NOT NULL
);
CREATE INDEX ix_incident_notes_incident ON incident_notes (incident_id, at);

-- What affected merchants are told (the runbook's merchant template, filled in), in both languages.
CREATE TABLE merchant_notices (
    id           BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    merchant_id  NVARCHAR(64) NOT NULL,
    incident_id  NVARCHAR(64) NOT NULL REFERENCES incidents (id),
    kind         NVARCHAR(16) NOT NULL,
    text         NVARCHAR(MAX) NOT NULL,
    text_zh      NVARCHAR(MAX) NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX ix_merchant_notices_merchant ON merchant_notices (merchant_id, created_at);
CREATE UNIQUE INDEX ux_merchant_notices_once ON merchant_notices (incident_id, merchant_id, kind);
