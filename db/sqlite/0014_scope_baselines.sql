-- Detection baselines saved scope by scope: a save streams rows in batches instead of building one document for
-- the whole fleet (gigabytes at 200,000 terminals). A save writes its rows under a new generation, then points
-- detection_baselines (id = 1) at it and removes older rows, so a node taking over reads one whole save.
-- figures: ScopeBaseline.Encode (src/PosMonitor.Core/Detection/Baselines.cs). A row of detection_baselines without
-- a generation is an older build's whole document in state, still read once.
CREATE TABLE detection_scope_baselines (
    generation  INTEGER NOT NULL,
    scope_type  INTEGER NOT NULL,
    scope_id    TEXT NOT NULL,
    figures     BLOB NOT NULL
);
CREATE INDEX ix_detection_scope_baselines_generation ON detection_scope_baselines (generation);

ALTER TABLE detection_baselines ADD COLUMN generation INTEGER NULL;
