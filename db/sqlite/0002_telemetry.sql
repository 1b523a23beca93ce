-- Telemetry: raw events (kept for a configured number of days), per-minute rollups per terminal,
-- the latest state of each terminal, and firmware changes seen in heartbeats. Times are epoch ms.
-- Raw events are keyed by (ts, event_id): clients choose random ids, and a key that starts with
-- the time keeps inserts at the right edge of the index; a resend of an event repeats both.
-- received_at is the writer's commit stamp (strictly increasing per commit): rollups are flushed
-- behind the raw commits, and after a crash the events with received_at past the watermark are
-- folded again, so raw events are the truth and rollups never miss or double-count one.
CREATE TABLE heartbeats (
    ts               INTEGER NOT NULL,
    event_id         TEXT NOT NULL,
    terminal_id      TEXT NOT NULL,
    received_at      INTEGER NOT NULL,
    network_type     TEXT NOT NULL,
    signal_dbm       INTEGER NULL,
    latency_ms       INTEGER NOT NULL,
    packet_loss_pct  REAL NOT NULL,
    firmware         TEXT NOT NULL,
    uptime_sec       INTEGER NOT NULL,
    battery_pct      INTEGER NULL,
    cpu_pct          INTEGER NULL,
    memory_pct       INTEGER NULL,
    printer          TEXT NOT NULL,
    scanner          TEXT NOT NULL,
    pending_offline  INTEGER NOT NULL,
    PRIMARY KEY (ts, event_id)
) WITHOUT ROWID;

CREATE INDEX ix_heartbeats_received ON heartbeats (received_at);

CREATE TABLE transactions (
    ts            INTEGER NOT NULL,
    event_id      TEXT NOT NULL,
    terminal_id   TEXT NOT NULL,
    received_at   INTEGER NOT NULL,
    gateway_id    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    stage         TEXT NULL,
    latency_ms    INTEGER NOT NULL,
    stage_ms      TEXT NULL,
    error_code    TEXT NULL,
    amount_minor  INTEGER NULL,
    currency      TEXT NULL,
    PRIMARY KEY (ts, event_id)
) WITHOUT ROWID;
CREATE INDEX ix_transactions_received ON transactions (received_at);

CREATE TABLE terminal_minutes (
    terminal_id           TEXT NOT NULL,
    minute                INTEGER NOT NULL,
    transactions          INTEGER NOT NULL DEFAULT 0,
    approved              INTEGER NOT NULL DEFAULT 0,
    declined              INTEGER NOT NULL DEFAULT 0,
    timeouts              INTEGER NOT NULL DEFAULT 0,
    errors                INTEGER NOT NULL DEFAULT 0,
    cancelled             INTEGER NOT NULL DEFAULT 0,
    timeouts_input        INTEGER NOT NULL DEFAULT 0,
    errors_input          INTEGER NOT NULL DEFAULT 0,
    stage_ms_input        INTEGER NOT NULL DEFAULT 0,
    timeouts_connect      INTEGER NOT NULL DEFAULT 0,
    errors_connect        INTEGER NOT NULL DEFAULT 0,
    stage_ms_connect      INTEGER NOT NULL DEFAULT 0,
    timeouts_send         INTEGER NOT NULL DEFAULT 0,
    errors_send           INTEGER NOT NULL DEFAULT 0,
    stage_ms_send         INTEGER NOT NULL DEFAULT 0,
    timeouts_host         INTEGER NOT NULL DEFAULT 0,
    errors_host           INTEGER NOT NULL DEFAULT 0,
    stage_ms_host         INTEGER NOT NULL DEFAULT 0,
    timeouts_gateway      INTEGER NOT NULL DEFAULT 0,
    errors_gateway        INTEGER NOT NULL DEFAULT 0,
    stage_ms_gateway      INTEGER NOT NULL DEFAULT 0,
    timeouts_print        INTEGER NOT NULL DEFAULT 0,
    errors_print          INTEGER NOT NULL DEFAULT 0,
    stage_ms_print        INTEGER NOT NULL DEFAULT 0,
    timeouts_notify       INTEGER NOT NULL DEFAULT 0,
    errors_notify         INTEGER NOT NULL DEFAULT 0,
    stage_ms_notify       INTEGER NOT NULL DEFAULT 0,
    timeouts_app          INTEGER NOT NULL DEFAULT 0,
    errors_app            INTEGER NOT NULL DEFAULT 0,
    stage_ms_app          INTEGER NOT NULL DEFAULT 0,
    latency_sum_ms        INTEGER NOT NULL DEFAULT 0,
    latency_max_ms        INTEGER NOT NULL DEFAULT 0,
    stage_ms_samples      INTEGER NOT NULL DEFAULT 0,
    amount_sum_minor      INTEGER NOT NULL DEFAULT 0,
    amount_count          INTEGER NOT NULL DEFAULT 0,
    heartbeats            INTEGER NOT NULL DEFAULT 0,
    net_latency_sum_ms    INTEGER NOT NULL DEFAULT 0,
    net_latency_max_ms    INTEGER NOT NULL DEFAULT 0,
    packet_loss_sum_pct   REAL NOT NULL DEFAULT 0,
    packet_loss_max_pct   REAL NOT NULL DEFAULT 0,
    signal_min_dbm        INTEGER NULL,
    cpu_max_pct           INTEGER NULL,
    memory_max_pct        INTEGER NULL,
    printer_faults        INTEGER NOT NULL DEFAULT 0,
    scanner_faults        INTEGER NOT NULL DEFAULT 0,
    restarts              INTEGER NOT NULL DEFAULT 0,
    pending_offline_max   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, terminal_id)
) WITHOUT ROWID;
CREATE INDEX ix_terminal_minutes_terminal ON terminal_minutes (terminal_id, minute);

CREATE TABLE terminal_states (
    terminal_id          TEXT NOT NULL PRIMARY KEY,
    last_seen_at         INTEGER NULL,
    last_heartbeat_at    INTEGER NULL,
    last_transaction_at  INTEGER NULL,
    network_type         TEXT NULL,
    signal_dbm           INTEGER NULL,
    latency_ms           INTEGER NULL,
    packet_loss_pct      REAL NULL,
    firmware             TEXT NULL,
    firmware_since       INTEGER NULL,
    uptime_sec           INTEGER NULL,
    battery_pct          INTEGER NULL,
    cpu_pct              INTEGER NULL,
    memory_pct           INTEGER NULL,
    printer              TEXT NULL,
    scanner              TEXT NULL,
    pending_offline      INTEGER NULL
);

CREATE TABLE firmware_changes (
    terminal_id    TEXT NOT NULL,
    at             INTEGER NOT NULL,
    from_version   TEXT NULL,
    to_version     TEXT NOT NULL,
    PRIMARY KEY (terminal_id, at)
);
CREATE INDEX ix_firmware_changes_at ON firmware_changes (at);

-- The commit stamp up to which raw events are folded into terminal_minutes / terminal_states.
CREATE TABLE rollup_watermark (
    id           INT NOT NULL PRIMARY KEY,
    received_at  INTEGER NOT NULL
);
INSERT INTO rollup_watermark (id, received_at) VALUES (1, 0);
