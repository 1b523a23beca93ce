-- Portal users (sign-in), the audit log, and merchant feedback with its replies. Times are epoch ms.
-- users.merchant_id has no foreign key on purpose: demo and bootstrap users may be bound to a
-- merchant the fleet upload creates later (the demo owner is bound to "m-0001" before the fleet exists).
CREATE TABLE users (
    id                   TEXT NOT NULL PRIMARY KEY,
    email                TEXT NOT NULL,
    normalized_email     TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NULL,
    security_stamp       TEXT NOT NULL,
    role                 TEXT NOT NULL,
    merchant_id          TEXT NULL,
    disabled             INTEGER NOT NULL DEFAULT 0,
    lockout_enabled      INTEGER NOT NULL DEFAULT 1,
    lockout_end          INTEGER NULL,
    access_failed_count  INTEGER NOT NULL DEFAULT 0,
    two_factor_enabled   INTEGER NOT NULL DEFAULT 0,
    authenticator_key    TEXT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_users_normalized_email ON users (normalized_email);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT NULL,
    result  TEXT NOT NULL,
    ip      TEXT NULL,
    detail  TEXT NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_audit_log_actor ON audit_log (actor, at);
CREATE INDEX ix_audit_log_action ON audit_log (action, at);

CREATE TABLE feedback (
    id                  TEXT NOT NULL PRIMARY KEY,
    merchant_id         TEXT NOT NULL,
    author_id           TEXT NOT NULL,
    author_name         TEXT NOT NULL,
    category            TEXT NOT NULL,
    rating              INTEGER NULL,
    text                TEXT NOT NULL,
    terminal_id         TEXT NULL,
    incident_id         TEXT NULL,
    contact             TEXT NOT NULL,
    status              TEXT NOT NULL,
    possible_new_fault  INTEGER NOT NULL DEFAULT 0,
    telemetry_summary   TEXT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX ix_feedback_merchant ON feedback (merchant_id, created_at);
CREATE INDEX ix_feedback_status ON feedback (status, created_at);
CREATE INDEX ix_feedback_created ON feedback (created_at);

CREATE TABLE feedback_replies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id  TEXT NOT NULL REFERENCES feedback (id),
    author_id    TEXT NOT NULL,
    author_name  TEXT NOT NULL,
    from_staff   INTEGER NOT NULL,
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX ix_feedback_replies_feedback ON feedback_replies (feedback_id, created_at);
