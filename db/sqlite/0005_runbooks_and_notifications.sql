-- Runbooks (emergency plans, 应急预案) and the notification outbox. Times are epoch milliseconds.
-- A runbook is a row in runbooks plus immutable versions: editing writes version N+1, and an
-- incident keeps (runbook_id, runbook_version) so its checklist never changes under an agent.
-- A version's body (titles, steps, contacts, merchant template, in en and zh-CN) is one JSON
-- document: it is always read and written whole, and never queried by its parts.
CREATE TABLE runbooks (
    id               TEXT NOT NULL PRIMARY KEY,
    current_version  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE runbook_versions (
    runbook_id   TEXT NOT NULL REFERENCES runbooks (id),
    version      INTEGER NOT NULL,
    cause        TEXT NOT NULL,
    severity     TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    title_zh     TEXT NOT NULL,
    body         TEXT NOT NULL,
    change_note  TEXT NULL,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (runbook_id, version)
);

-- One row per (event, channel): written when an incident opens, escalates or resolves, delivered
-- by DeliverNotificationsJob with retries, so a slow or failing receiver never holds up detection
-- and a restart loses nothing. recipient overrides the channel's own address (escalation contacts).
CREATE TABLE notification_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    channel          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    recipient        TEXT NULL,
    event            TEXT NOT NULL,
    incident_id      TEXT NULL,
    payload          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_attempt_at  INTEGER NULL,
    last_error       TEXT NULL,
    delivered_at     INTEGER NULL,
    abandoned_at     INTEGER NULL
);
CREATE INDEX ix_notification_outbox_due ON notification_outbox (next_attempt_at)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX ix_notification_outbox_created ON notification_outbox (created_at);
