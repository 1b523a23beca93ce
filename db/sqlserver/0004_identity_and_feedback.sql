-- Portal users (sign-in), the audit log, and merchant feedback with its replies. Times are epoch ms.
-- users.merchant_id has no foreign key on purpose: demo and bootstrap users may be bound to a
-- merchant the fleet upload creates later (the demo owner is bound to "m-0001" before the fleet exists).
CREATE TABLE users (
    id                   NVARCHAR(64)   NOT NULL PRIMARY KEY,
    email                NVARCHAR(256)  NOT NULL,
    normalized_email     NVARCHAR(256)  NOT NULL,
    display_name         NVARCHAR(200)  NOT NULL,
    password_hash        NVARCHAR(400)  NULL,
    security_stamp       NVARCHAR(64)   NOT NULL,
    role                 NVARCHAR(32)   NOT NULL,
    merchant_id          NVARCHAR(64)   NULL,
    disabled             BIT NOT NULL DEFAULT 0,
    lockout_enabled      BIT NOT NULL DEFAULT 1,
    lockout_end          BIGINT NULL,
    access_failed_count  INT NOT NULL DEFAULT 0,
    two_factor_enabled   BIT NOT NULL DEFAULT 0,
    authenticator_key    NVARCHAR(64)   NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_users_normalized_email ON users (normalized_email);

CREATE TABLE audit_log (
    id      BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   NVARCHAR(256)  NOT NULL,
    action  NVARCHAR(64)   NOT NULL,
    target  NVARCHAR(256)  NULL,
    result  NVARCHAR(32)   NOT NULL,
    ip      NVARCHAR(64)   NULL,
    detail  NVARCHAR(1000) NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_audit_log_actor ON audit_log (actor, at);
CREATE INDEX ix_audit_log_action ON audit_log (action, at);

CREATE TABLE feedback (
    id                  NVARCHAR(64)   NOT NULL PRIMARY KEY,
    merchant_id         NVARCHAR(64)   NOT NULL,
    author_id           NVARCHAR(64)   NOT NULL,
    author_name         NVARCHAR(200)  NOT NULL,
    category            NVARCHAR(32)   NOT NULL,
    rating              INT NULL,
    text                NVARCHAR(4000) NOT NULL,
    terminal_id         NVARCHAR(64)   NULL,
    incident_id         NVARCHAR(64)   NULL,
    contact             NVARCHAR(32)   NOT NULL,
    status              NVARCHAR(16)   NOT NULL,
    possible_new_fault  BIT NOT NULL DEFAULT 0,
    telemetry_summary   NVARCHAR(4000) NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX ix_feedback_merchant ON feedback (merchant_id, created_at);
CREATE INDEX ix_feedback_status ON feedback (status, created_at);
CREATE INDEX ix_feedback_created ON feedback (created_at);

CREATE TABLE feedback_replies (
    id           BIGINT IDENTITY(1,1) NOT NULL PRIMARY KEY,
    feedback_id  NVARCHAR(64)   NOT NULL REFERENCES feedback (id),
    author_id    NVARCHAR(64)   NOT NULL,
    author_name  NVARCHAR(200)  NOT NULL,
    from_staff   BIT NOT NULL,
    text         NVARCHAR(4000) NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX ix_feedback_replies_feedback ON feedback_replies (feedback_id, created_at);
