-- A reopened incident starts a new round of what its merchants are told (identified, monitoring, reopened,
-- resolved): each kind of notice goes to a merchant once per round. "opened" stays in round 0, once per
-- merchant however often the incident reopens (incident-state.md).
ALTER TABLE merchant_notices ADD round INT NOT NULL CONSTRAINT df_merchant_notices_round DEFAULT 0;
-- The new column is known to statements compiled after this batch only.
GO
DROP INDEX ux_merchant_notices_once ON merchant_notices;
CREATE UNIQUE INDEX ux_merchant_notices_once ON merchant_notices (incident_id, merchant_id, kind, round);
