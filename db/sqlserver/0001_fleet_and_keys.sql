-- Fleet (regions, gateways, merchants, terminals) and API keys. Times are epoch milliseconds.
CREATE TABLE regions (
    id          NVARCHAR(64)  NOT NULL PRIMARY KEY,
    name        NVARCHAR(200) NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE gateways (
    id          NVARCHAR(64)  NOT NULL PRIMARY KEY,
    name        NVARCHAR(200) NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE merchants (
    id             NVARCHAR(64)  NOT NULL PRIMARY KEY,
    name           NVARCHAR(200) NOT NULL,
    region_id      NVARCHAR(64)  NOT NULL REFERENCES regions (id),
    time_zone      NVARCHAR(64)  NOT NULL,
    opening_hours  NVARCHAR(16)  NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX ix_merchants_region ON merchants (region_id);

CREATE TABLE terminals (
    id           NVARCHAR(64)  NOT NULL PRIMARY KEY,
    merchant_id  NVARCHAR(64)  NOT NULL REFERENCES merchants (id),
    region_id    NVARCHAR(64)  NOT NULL REFERENCES regions (id),
    gateway_id   NVARCHAR(64)  NOT NULL REFERENCES gateways (id),
    model        NVARCHAR(64)  NOT NULL,
    firmware     NVARCHAR(32)  NOT NULL,
    store        NVARCHAR(200) NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX ix_terminals_merchant ON terminals (merchant_id);
CREATE INDEX ix_terminals_region ON terminals (region_id);
CREATE INDEX ix_terminals_gateway ON terminals (gateway_id);

-- Only a SHA-256 hash of each key is kept; the key itself is shown once when created.
CREATE TABLE api_keys (
    id           NVARCHAR(64)  NOT NULL PRIMARY KEY,
    name         NVARCHAR(200) NOT NULL,
    scope        NVARCHAR(32)  NOT NULL,
    merchant_id  NVARCHAR(64)  NULL REFERENCES merchants (id),
    key_hash     CHAR(64)      NOT NULL,
    created_at   BIGINT NOT NULL,
    created_by   NVARCHAR(200) NULL,
    revoked_at   BIGINT NULL
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash);
