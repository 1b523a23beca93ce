-- Telemetry: raw events (kept for a configured number of days), per-minute rollups per terminal,
-- the latest state of each terminal, and firmware changes seen in heartbeats. Times are epoch ms.
-- Raw events are keyed by (ts, event_id): clients choose random ids, and a key that starts with
-- the time keeps inserts at the right edge of the index; a resend of an event repeats both.
-- received_at is the writer's commit stamp (strictly increasing per commit): rollups are flushed
-- behind the raw commits, and after a crash the events with received_at past the watermark are
-- folded again, so raw events are the truth and rollups never miss or double-count one.
CREATE TABLE heartbeats (
    ts               BIGINT NOT NULL,
    event_id         NVARCHAR(64) NOT NULL,
    terminal_id      NVARCHAR(64) NOT NULL,
    received_at      BIGINT NOT NULL,
    network_type     NVARCHAR(16) NOT NULL,
    signal_dbm       INT NULL,
    latency_ms       INT NOT NULL,
    packet_loss_pct  FLOAT NOT NULL,
    firmware         NVARCHAR(32) NOT NULL,
    uptime_sec       BIGINT NOT NULL,
    battery_pct      INT NULL,
    cpu_pct          INT NULL,
    memory_pct       INT NULL,
    printer          NVARCHAR(16) NOT NULL,
    scanner          NVARCHAR(16) NOT NULL,
    pending_offline  INT NOT NULL,
    PRIMARY KEY (ts, event_id)
);

CREATE INDEX ix_heartbeats_received ON heartbeats (received_at);

CREATE TABLE transactions (
    ts            BIGINT NOT NULL,
    event_id      NVARCHAR(64) NOT NULL,
    terminal_id   NVARCHAR(64) NOT NULL,
    received_at   BIGINT NOT NULL,
    gateway_id    NVARCHAR(64) NOT NULL,
    outcome       NVARCHAR(16) NOT NULL,
    stage         NVARCHAR(16) NULL,
    latency_ms    INT NOT NULL,
    stage_ms      NVARCHAR(400) NULL,
    error_code    NVARCHAR(32) NULL,
    amount_minor  BIGINT NULL,
    currency      CHAR(3) NULL,
    PRIMARY KEY (ts, event_id)
);
CREATE INDEX ix_transactions_received ON transactions (received_at);

CREATE TABLE terminal_minutes (
    terminal_id           NVARCHAR(64) NOT NULL,
    minute                BIGINT NOT NULL,
    transactions          INT NOT NULL DEFAULT 0,
    approved              INT NOT NULL DEFAULT 0,
    declined              INT NOT NULL DEFAULT 0,
    timeouts              INT NOT NULL DEFAULT 0,
    errors                INT NOT NULL DEFAULT 0,
    cancelled             INT NOT NULL DEFAULT 0,
    timeouts_input        INT NOT NULL DEFAULT 0,
    errors_input          INT NOT NULL DEFAULT 0,
    stage_ms_input        BIGINT NOT NULL DEFAULT 0,
    timeouts_connect      INT NOT NULL DEFAULT 0,
    errors_connect        INT NOT NULL DEFAULT 0,
    stage_ms_connect      BIGINT NOT NULL DEFAULT 0,
    timeouts_send         INT NOT NULL DEFAULT 0,
    errors_send           INT NOT NULL DEFAULT 0,
    stage_ms_send         BIGINT NOT NULL DEFAULT 0,
    timeouts_host         INT NOT NULL DEFAULT 0,
    errors_host           INT NOT NULL DEFAULT 0,
    stage_ms_host         BIGINT NOT NULL DEFAULT 0,
    timeouts_gateway      INT NOT NULL DEFAULT 0,
    errors_gateway        INT NOT NULL DEFAULT 0,
    stage_ms_gateway      BIGINT NOT NULL DEFAULT 0,
    timeouts_print        INT NOT NULL DEFAULT 0,
    errors_print          INT NOT NULL DEFAULT 0,
    stage_ms_print        BIGINT NOT NULL DEFAULT 0,
    timeouts_notify       INT NOT NULL DEFAULT 0,
    errors_notify         INT NOT NULL DEFAULT 0,
    stage_ms_notify       BIGINT NOT NULL DEFAULT 0,
    timeouts_app          INT NOT NULL DEFAULT 0,
    errors_app            INT NOT NULL DEFAULT 0,
    stage_ms_app          BIGINT NOT NULL DEFAULT 0,
    latency_sum_ms        BIGINT NOT NULL DEFAULT 0,
    latency_max_ms        INT NOT NULL DEFAULT 0,
    stage_ms_samples      INT NOT NULL DEFAULT 0,
    amount_sum_minor      BIGINT NOT NULL DEFAULT 0,
    amount_count          INT NOT NULL DEFAULT 0,
    heartbeats            INT NOT NULL DEFAULT 0,
    net_latency_sum_ms    BIGINT NOT NULL DEFAULT 0,
    net_latency_max_ms    INT NOT NULL DEFAULT 0,
    packet_loss_sum_pct   FLOAT NOT NULL DEFAULT 0,
    packet_loss_max_pct   FLOAT NOT NULL DEFAULT 0,
    signal_min_dbm        INT NULL,
    cpu_max_pct           INT NULL,
    memory_max_pct        INT NULL,
    printer_faults        INT NOT NULL DEFAULT 0,
    scanner_faults        INT NOT NULL DEFAULT 0,
    restarts              INT NOT NULL DEFAULT 0,
    pending_offline_max   INT NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, terminal_id)
);
CREATE INDEX ix_terminal_minutes_terminal ON terminal_minutes (terminal_id, minute);

CREATE TABLE terminal_states (
    terminal_id          NVARCHAR(64) NOT NULL PRIMARY KEY,
    last_seen_at         BIGINT NULL,
    last_heartbeat_at    BIGINT NULL,
    last_transaction_at  BIGINT NULL,
    network_type         NVARCHAR(16) NULL,
    signal_dbm           INT NULL,
    latency_ms           INT NULL,
    packet_loss_pct      FLOAT NULL,
    firmware             NVARCHAR(32) NULL,
    firmware_since       BIGINT NULL,
    uptime_sec           BIGINT NULL,
    battery_pct          INT NULL,
    cpu_pct              INT NULL,
    memory_pct           INT NULL,
    printer              NVARCHAR(16) NULL,
    scanner              NVARCHAR(16) NULL,
    pending_offline      INT NULL
);

CREATE TABLE firmware_changes (
    terminal_id    NVARCHAR(64) NOT NULL,
    at             BIGINT NOT NULL,
    from_version   NVARCHAR(32) NULL,
    to_version     NVARCHAR(32) NOT NULL,
    PRIMARY KEY (terminal_id, at)
);
CREATE INDEX ix_firmware_changes_at ON firmware_changes (at);

-- The commit stamp up to which raw events are folded into terminal_minutes / terminal_states.
CREATE TABLE rollup_watermark (
    id           INT NOT NULL PRIMARY KEY,
    received_at  BIGINT NOT NULL
);
INSERT INTO rollup_watermark (id, received_at) VALUES (1, 0);
