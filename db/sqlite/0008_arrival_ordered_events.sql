-- Raw events in arrival order. Clients send events up to a minute (or, from offline queues, days)
-- out of time order, so a key starting with the event time put every insert somewhere inside the
-- newest minute of a large index: each commit rewrote thousands of pages. Now the key is
-- (received_at, seq): the writer's commit stamp and the event's position in that commit, so rows
-- are appended and crash recovery reads the tail past the rollup watermark by key.
-- Duplicates (same eventId and timestamp) are found by the writer instead: it keeps a 128-bit
-- hash of (kind, timestamp, eventId) of the newest minutes' events in memory and moves them here,
-- sorted, once their minute is older than its window (so this index, too, grows at its right
-- edge); events already older than that window when they arrive are looked up and added here at
-- once. event_keys plus the keys in memory cover every stored event: dedup_state.spilled_before
-- (epoch ms, a minute boundary) says which minutes are here; at start-up the writer reloads the
-- keys of newer minutes from the raw tables. spilled_before starts at 0, so the first start after
-- this migration moves the keys of the events already stored here.
ALTER TABLE heartbeats RENAME TO heartbeats_0002;
ALTER TABLE transactions RENAME TO transactions_0002;
DROP INDEX ix_heartbeats_received;
DROP INDEX ix_transactions_received;

CREATE TABLE heartbeats (
    received_at      INTEGER NOT NULL,
    seq              INTEGER NOT NULL,
    ts               INTEGER NOT NULL,
    event_id         TEXT NOT NULL,
    terminal_id      TEXT NOT NULL,
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
    PRIMARY KEY (received_at, seq)
) WITHOUT ROWID;

INSERT INTO heartbeats (received_at, seq, ts, event_id, terminal_id, network_type, signal_dbm, latency_ms, packet_loss_pct, firmware, uptime_sec, battery_pct, cpu_pct, memory_pct, printer, scanner, pending_offline)
SELECT received_at, ROW_NUMBER() OVER (PARTITION BY received_at ORDER BY ts, event_id), ts, event_id, terminal_id, network_type, signal_dbm, latency_ms, packet_loss_pct, firmware, uptime_sec, battery_pct, cpu_pct, memory_pct, printer, scanner, pending_offline
FROM heartbeats_0002;
DROP TABLE heartbeats_0002;

CREATE TABLE transactions (
    received_at   INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    ts            INTEGER NOT NULL,
    event_id      TEXT NOT NULL,
    terminal_id   TEXT NOT NULL,
    gateway_id    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    stage         TEXT NULL,
    latency_ms    INTEGER NOT NULL,
    stage_ms      TEXT NULL,
    error_code    TEXT NULL,
    amount_minor  INTEGER NULL,
    currency      TEXT NULL,
    PRIMARY KEY (received_at, seq)
) WITHOUT ROWID;

INSERT INTO transactions (received_at, seq, ts, event_id, terminal_id, gateway_id, outcome, stage, latency_ms, stage_ms, error_code, amount_minor, currency)
SELECT received_at, ROW_NUMBER() OVER (PARTITION BY received_at ORDER BY ts, event_id), ts, event_id, terminal_id, gateway_id, outcome, stage, latency_ms, stage_ms, error_code, amount_minor, currency
FROM transactions_0002;
DROP TABLE transactions_0002;

CREATE TABLE event_keys (
    minute   INTEGER NOT NULL,
    key_hi   INTEGER NOT NULL,
    key_lo   INTEGER NOT NULL,
    PRIMARY KEY (minute, key_hi, key_lo)
) WITHOUT ROWID;

CREATE TABLE dedup_state (
    id              INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    spilled_before  INTEGER NOT NULL
);
INSERT INTO dedup_state (id, spilled_before) VALUES (1, 0);
