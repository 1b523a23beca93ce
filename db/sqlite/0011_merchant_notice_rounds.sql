-- A reopened incident starts a new round of what its merchants are told (identified, monitoring, reopened,
-- resolved): each kind of notice goes to a merchant once per round. "opened" stays in round 0, once per
-- merchant however often the incident reopens (incident-state.md).
ALTER TABLE merchant_notices ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
DROP INDEX ux_merchant_notices_once;
CREATE UNIQUE INDEX ux_merchant_notices_once ON merchant_notices (incident_id, merchant_id, kind, round);
