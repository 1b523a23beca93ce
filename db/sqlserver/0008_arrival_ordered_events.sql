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
EXEC sp_rename 'heartbeats', 'heartbeats_0002';
EXEC sp_rename 'transactions', 'transactions_0002';

CREATE TABLE heartbeats (
    received_at      BIGINT NOT NULL,
    seq              INT NOT NULL,
    ts               BIGINT NOT NULL,
    event_id         NVARCHAR(64) NOT NULL,
    terminal_id      NVARCHAR(64) NOT NULL,
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
    CONSTRAINT pk_heartbeats_arrival PRIMARY KEY (received_at, seq)
);

CREATE TABLE transactions (
    received_at   BIGINT NOT NULL,
    seq           INT NOT NULL,
    ts            BIGINT NOT NULL,
    event_id      NVARCHAR(64) NOT NULL,
    terminal_id   NVARCHAR(64) NOT NULL,
    gateway_id    NVARCHAR(64) NOT NULL,
    outcome       NVARCHAR(16) NOT NULL,
    stage         NVARCHAR(16) NULL,
    latency_ms    INT NOT NULL,
    stage_ms      NVARCHAR(400) NULL,
    error_code    NVARCHAR(32) NULL,
    amount_minor  BIGINT NULL,
    currency      CHAR(3) NULL,
    CONSTRAINT pk_transactions_arrival PRIMARY KEY (received_at, seq)
);

CREATE TABLE event_keys (
    minute   BIGINT NOT NULL,
    key_hi   BIGINT NOT NULL,
    key_lo   BIGINT NOT NULL,
    CONSTRAINT pk_event_keys PRIMARY KEY (minute, key_hi, key_lo)
);

CREATE TABLE dedup_state (
    id              INT NOT NULL PRIMARY KEY CHECK (id = 1),
    spilled_before  BIGINT NOT NULL
);
INSERT INTO dedup_state (id, spilled_before) VALUES (1, 0);
GO

INSERT INTO heartbeats (received_at, seq, ts, event_id, terminal_id, network_type, signal_dbm, latency_ms, packet_loss_pct, firmware, uptime_sec, battery_pct, cpu_pct, memory_pct, printer, scanner, pending_offline)
SELECT received_at, ROW_NUMBER() OVER (PARTITION BY received_at ORDER BY ts, event_id), ts, event_id, terminal_id, network_type, signal_dbm, latency_ms, packet_loss_pct, firmware, uptime_sec, battery_pct, cpu_pct, memory_pct, printer, scanner, pending_offline
FROM heartbeats_0002;
DROP TABLE heartbeats_0002;

INSERT INTO transactions (received_at, seq, ts, event_id, terminal_id, gateway_id, outcome, stage, latency_ms, stage_ms, error_code, amount_minor, currency)
SELECT received_at, ROW_NUMBER() OVER (PARTITION BY received_at ORDER BY ts, event_id), ts, event_id, terminal_id, gateway_id, outcome, stage, latency_ms, stage_ms, error_code, amount_minor, currency
FROM transactions_0002;
DROP TABLE transactions_0002;
