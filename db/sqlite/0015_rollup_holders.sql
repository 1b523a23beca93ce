-- Rollups per node. Each node's writer folds its commits into rollups in memory and writes them later, so after a
-- crash only that node knows which raw events are missing from the rollups. A holder is one writer's run (a node
-- name and an id per process): rollup_pending names, per commit stamp, the holder whose rollups of it are not
-- written yet, and the row goes in the flush that writes them. A restarting node folds again the commits of its own
-- earlier holders; the commits of a node that is gone are adopted by the detection leader. Adopting deletes the
-- holder row, which every commit and flush chunk of that holder checks, so a node that was only paused finds its
-- rollups adopted and drops them instead of writing them twice.
-- flush_through, flush_minute, flush_terminal: a flush cut short after some of its chunks. Chunks write rows in
-- (minute, terminal_id) order, so the rows up to that key hold every event of the holder up to flush_through.
CREATE TABLE rollup_holders (
    holder          TEXT NOT NULL PRIMARY KEY,
    node            TEXT NOT NULL,
    registered_at   INTEGER NOT NULL,
    flush_through   INTEGER NOT NULL DEFAULT 0,
    flush_minute    INTEGER NULL,
    flush_terminal  TEXT NULL
);

CREATE TABLE rollup_pending (
    received_at  INTEGER NOT NULL PRIMARY KEY,
    holder       TEXT NOT NULL
);
CREATE INDEX ix_rollup_pending_holder ON rollup_pending (holder, received_at);

-- Commits after the single watermark of before go to one holder of their own, folded at the next start: its
-- flush_through is that watermark, and rows written ahead of it are told by their folded_to (migration 0009).
INSERT INTO rollup_holders (holder, node, registered_at, flush_through)
SELECT 'before-0015', '', 0, w.received_at FROM rollup_watermark w
WHERE w.id = 1 AND (EXISTS (SELECT 1 FROM heartbeats WHERE received_at > w.received_at)
                 OR EXISTS (SELECT 1 FROM transactions WHERE received_at > w.received_at));

INSERT INTO rollup_pending (received_at, holder)
SELECT received_at, 'before-0015' FROM heartbeats WHERE received_at > (SELECT received_at FROM rollup_watermark WHERE id = 1)
UNION
SELECT received_at, 'before-0015' FROM transactions WHERE received_at > (SELECT received_at FROM rollup_watermark WHERE id = 1);
