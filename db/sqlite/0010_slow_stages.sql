-- Sales whose host or gateway stage took 3 s or more (TerminalMinute.SlowStageMs): a slow platform
-- or gateway shows on every sale before most of them time out (timeout-causes.md), and a mean of
-- stage_ms_* cannot tell one slow sale in twenty from a timeout. Minutes before this migration count none.
ALTER TABLE terminal_minutes ADD COLUMN slow_host INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminal_minutes ADD COLUMN slow_gateway INTEGER NOT NULL DEFAULT 0;
