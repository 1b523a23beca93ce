-- Runbooks (emergency plans, 应急预案) and the notification outbox. Times are epoch milliseconds.
-- A runbook is a row in runbooks plus immutable versions: editing writes version N+1, and an
-- incident keeps (runbook_id, runbook_version) so its checklist never changes under an agent.
-- A version's body (titles, steps, contacts, merchant template, in en and zh-CN) is one JSON
-- document: it is always read and written whole, and never queried by its parts.
CREATE TABLE runbooks (
    id               NVARCHAR(64) NOT NULL PRIMARY KEY,
    current_version  INT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE runbook_versions (
    runbook_id   NVARCHAR(64) NOT NULL REFERENCES runbooks (id),
    version      INT NOT NULL,
    cause        NVARCHAR(16) NOT NULL,
    severity     NVARCHAR(16) NOT NULL,
    title_en     NVARCHAR(300) NOT NULL,
    title_zh     NVARCHAR(300) NOT NULL,
    body         NVARCHAR(MAX) NOT NULL,
    change_note  NVARCHAR(1000) NULL,
    created_by   NVARCHAR(200) NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (runbook_id, version)
);

-- One row per (event, channel): written when an incident opens, escalates or resolves, delivered
-- by DeliverNotificationsJob with retries, so a slow or failing receiver never holds up detection
-- and a restart loses nothing. recipient overrides the channel's own address (escalation contacts).
CREATE TABLE notification_outbox (
    id               BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    channel          NVARCHAR(100) NOT NULL,
    kind             NVARCHAR(16) NOT NULL,
    recipient        NVARCHAR(1000) NULL,
    event            NVARCHAR(32) NOT NULL,
    incident_id      NVARCHAR(64) NULL,
    payload          NVARCHAR(MAX) NOT NULL,
    created_at       BIGINT NOT NULL,
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_attempt_at  BIGINT NULL,
    last_error       NVARCHAR(2000) NULL,
    delivered_at     BIGINT NULL,
    abandoned_at     BIGINT NULL
);
CREATE INDEX ix_notification_outbox_due ON notification_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX ix_notification_outbox_created ON notification_outbox (created_at);
