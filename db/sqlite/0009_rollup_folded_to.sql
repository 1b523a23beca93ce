-- Rollups are written in chunks between ingestion commits (so a large flush never holds up the
-- writer), and the watermark moves only when a whole flush is written. folded_to is the commit
-- stamp up to which a row holds every event: after a crash, recovery folds an event past the
-- watermark into a row only when the event is newer than the row's folded_to.
ALTER TABLE terminal_minutes ADD COLUMN folded_to INTEGER NOT NULL DEFAULT 0;
