-- Organisations (companies), their accounts, API tokens, login throttling, the audit log,
-- and the node inventory that agents report. Identity and tenancy come first: every other
-- table hangs off an organisation.

CREATE TABLE organisations (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT organisations_name_format CHECK (name ~ '^[a-z][a-z0-9-]{1,39}$')
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (name);

-- Unix uids handed to accounts: jobs run as the user's own account on the nodes.
CREATE SEQUENCE account_uid_seq START WITH 20001 MINVALUE 20001 MAXVALUE 2000000000;

CREATE TABLE accounts (
    id              BIGSERIAL PRIMARY KEY,
    organisation_id BIGINT      NOT NULL REFERENCES organisations (id),
    username        TEXT        NOT NULL,
    password_hash   TEXT        NOT NULL,
    role            TEXT        NOT NULL,
    enabled         BOOLEAN     NOT NULL DEFAULT TRUE,
    uid             INTEGER     NOT NULL DEFAULT nextval('account_uid_seq'),
    locale          TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT accounts_role CHECK (role IN ('USER', 'ORG_ADMIN', 'PLATFORM_ADMIN')),
    CONSTRAINT accounts_username_format CHECK (username ~ '^[a-z_][a-z0-9_-]{1,31}$')
);
CREATE UNIQUE INDEX accounts_username_key ON accounts (username);
CREATE UNIQUE INDEX accounts_uid_key ON accounts (uid);
CREATE INDEX accounts_organisation_idx ON accounts (organisation_id);

-- Only a SHA-256 of the secret is kept: the token is shown once, at creation.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    account_id   BIGINT      NOT NULL REFERENCES accounts (id),
    name         TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    secret_hash  BYTEA       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX api_tokens_secret_hash_key ON api_tokens (secret_hash);
CREATE INDEX api_tokens_account_idx ON api_tokens (account_id);

-- Failed logins per (username, remote address), shared by every portal instance.
CREATE TABLE login_failures (
    username     TEXT        NOT NULL,
    address      TEXT        NOT NULL,
    failures     INTEGER     NOT NULL,
    first_at     TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ,
    PRIMARY KEY (username, address)
);

CREATE TABLE audit_log (
    id              BIGSERIAL PRIMARY KEY,
    at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor           TEXT,
    organisation_id BIGINT REFERENCES organisations (id),
    action          TEXT        NOT NULL,
    target          TEXT,
    detail          TEXT,
    address         TEXT
);
CREATE INDEX audit_log_org_at_idx ON audit_log (organisation_id, at DESC);

-- The cluster's nodes and their GPUs, as registered by agents.
CREATE TABLE nodes (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT        NOT NULL,
    hostname     TEXT,
    address      TEXT,
    state        TEXT        NOT NULL DEFAULT 'UP',
    cores        INTEGER     NOT NULL,
    memory_mb    BIGINT      NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ,
    CONSTRAINT nodes_state CHECK (state IN ('UP', 'DRAINING', 'DRAINED', 'DOWN')),
    CONSTRAINT nodes_cores_positive CHECK (cores > 0),
    CONSTRAINT nodes_memory_positive CHECK (memory_mb > 0)
);
CREATE UNIQUE INDEX nodes_name_key ON nodes (name);

CREATE TABLE node_gpus (
    node_id    BIGINT  NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    index      INTEGER NOT NULL,
    uuid       TEXT,
    model      TEXT    NOT NULL,
    flavor     TEXT    NOT NULL,
    memory_mb  BIGINT  NOT NULL,
    virtual    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (node_id, index)
);
