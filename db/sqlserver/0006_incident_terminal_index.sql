-- Incidents by terminal (terminal page, merchant portal): the affected rows are otherwise indexed by merchant only.
CREATE INDEX ix_incident_affected_terminal ON incident_affected (terminal_id, incident_id);
