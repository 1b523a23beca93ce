-- Sales whose host or gateway stage took 3 s or more (TerminalMinute.SlowStageMs): a slow platform
-- or gateway shows on every sale before most of them time out (timeout-causes.md), and a mean of
-- stage_ms_* cannot tell one slow sale in twenty from a timeout. Minutes before this migration count none.
ALTER TABLE terminal_minutes ADD slow_host INT NOT NULL CONSTRAINT df_terminal_minutes_slow_host DEFAULT 0;
ALTER TABLE terminal_minutes ADD slow_gateway INT NOT NULL CONSTRAINT df_terminal_minutes_slow_gateway DEFAULT 0;
