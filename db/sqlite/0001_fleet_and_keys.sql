-- Fleet (regions, gateways, merchants, terminals) and API keys. Times are epoch milliseconds.
CREATE TABLE regions (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE gateways (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE merchants (
    id             TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL,
    region_id      TEXT NOT NULL REFERENCES regions (id),
    time_zone      TEXT NOT NULL,
    opening_hours  TEXT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX ix_merchants_region ON merchants (region_id);

CREATE TABLE terminals (
    id           TEXT NOT NULL PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    region_id    TEXT NOT NULL REFERENCES regions (id),
    gateway_id   TEXT NOT NULL REFERENCES gateways (id),
    model        TEXT NOT NULL,
    firmware     TEXT NOT NULL,
    store        TEXT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX ix_terminals_merchant ON terminals (merchant_id);
CREATE INDEX ix_terminals_region ON terminals (region_id);
CREATE INDEX ix_terminals_gateway ON terminals (gateway_id);

-- Only a SHA-256 hash of each key is kept; the key itself is shown once when created.
CREATE TABLE api_keys (
    id           TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    merchant_id  TEXT NULL REFERENCES merchants (id),
    key_hash     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NULL,
    revoked_at   INTEGER NULL
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash);
