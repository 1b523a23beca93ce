-- Several portal nodes on one database (PosMonitor:Cluster). Each node writes its row every heartbeat;
-- the admin Nodes page lists them and marks one not heard from in three heartbeats as lost.
CREATE TABLE cluster_nodes (
    name          NVARCHAR(200) NOT NULL PRIMARY KEY,
    started_at    BIGINT NOT NULL,
    heartbeat_at  BIGINT NOT NULL,
    version       NVARCHAR(100) NOT NULL
);

-- The detection lease: one row, held by one node until expires_at unless renewed. token grows by one
-- at every change of term (a new holder, or a lapsed lease taken again), and detection's incident
-- writes carry the token of the term they were computed in: a write from an older term is refused.
CREATE TABLE cluster_lease (
    id          INT NOT NULL PRIMARY KEY,
    holder      NVARCHAR(200) NULL,
    acquired_at BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    token       BIGINT NOT NULL
);
INSERT INTO cluster_lease (id, holder, acquired_at, expires_at, token) VALUES (1, NULL, 0, 0, 0);

-- The term (lease token) of the detection run that wrote the incident last; 0 for a single node and for hand edits.
ALTER TABLE incidents ADD lease_token BIGINT NOT NULL CONSTRAINT df_incidents_lease_token DEFAULT 0;
