-- Queues, quotas, jobs and their allocations, the agent gateway's bookkeeping, logs, metrics and
-- accounting: what it takes for jobs to run for real.

CREATE TABLE queues (
    name               TEXT PRIMARY KEY,
    is_default         BOOLEAN NOT NULL DEFAULT FALSE,
    default_walltime_s BIGINT  NOT NULL,
    max_walltime_s     BIGINT  NOT NULL,
    max_gpus_per_job   INTEGER NOT NULL,
    priority_tier      INTEGER NOT NULL DEFAULT 1,
    preemptible        BOOLEAN NOT NULL DEFAULT FALSE,
    flavors            TEXT[]  NOT NULL DEFAULT '{}',
    nodes              TEXT[]  NOT NULL DEFAULT '{}',
    organisations      TEXT[]  NOT NULL DEFAULT '{}',
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT queues_name_format CHECK (name ~ '^[a-z][a-z0-9-]{0,31}$'),
    CONSTRAINT queues_walltimes CHECK (default_walltime_s > 0 AND max_walltime_s >= default_walltime_s),
    CONSTRAINT queues_gpus CHECK (max_gpus_per_job >= 0),
    CONSTRAINT queues_tier CHECK (priority_tier >= 0)
);
CREATE UNIQUE INDEX queues_one_default ON queues (is_default) WHERE is_default;

-- A fresh install: 'gpu' (the default: any GPU node, up to 48 h), 'interactive' (at most 1 GPU,
-- 4 h, a higher tier so that short sessions start first) and 'cpu' (no GPU).
INSERT INTO queues (name, is_default, default_walltime_s, max_walltime_s, max_gpus_per_job, priority_tier) VALUES
    ('gpu', TRUE, 3600, 172800, 32, 1),
    ('interactive', FALSE, 3600, 14400, 1, 2),
    ('cpu', FALSE, 3600, 86400, 0, 1);

-- Per-organisation limits. A missing row means the configured defaults.
CREATE TABLE org_limits (
    organisation_id      BIGINT PRIMARY KEY REFERENCES organisations (id),
    cpu_cores            INTEGER,
    gpu_hours_per_month  DOUBLE PRECISION,
    fairshare_weight     DOUBLE PRECISION NOT NULL DEFAULT 1,
    CONSTRAINT org_limits_cores CHECK (cpu_cores IS NULL OR cpu_cores >= 0),
    CONSTRAINT org_limits_budget CHECK (gpu_hours_per_month IS NULL OR gpu_hours_per_month >= 0),
    CONSTRAINT org_limits_weight CHECK (fairshare_weight > 0)
);

-- GPUs per flavor: guaranteed, and how many more may be borrowed while idle. Flavor '*' stands for
-- every flavor without a row of its own.
CREATE TABLE flavor_quotas (
    organisation_id BIGINT  NOT NULL REFERENCES organisations (id),
    flavor          TEXT    NOT NULL,
    guaranteed_gpus INTEGER NOT NULL,
    borrow_limit    INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, flavor),
    CONSTRAINT flavor_quotas_positive CHECK (guaranteed_gpus >= 0 AND borrow_limit >= 0)
);

CREATE TABLE jobs (
    id                   BIGSERIAL PRIMARY KEY,
    organisation_id      BIGINT  NOT NULL REFERENCES organisations (id),
    account_id           BIGINT  NOT NULL REFERENCES accounts (id),
    name                 TEXT    NOT NULL,
    queue                TEXT    NOT NULL REFERENCES queues (name),
    type                 TEXT    NOT NULL,
    state                TEXT    NOT NULL,
    script               TEXT,
    training             JSONB,
    env                  JSONB   NOT NULL DEFAULT '{}',
    nodes                INTEGER NOT NULL,
    gpus_per_node        INTEGER NOT NULL,
    tasks_per_node       INTEGER NOT NULL DEFAULT 1,
    gpu_flavor           TEXT,
    min_gpu_memory_mb    INTEGER,
    cores_per_node       INTEGER NOT NULL DEFAULT 0,
    cores_per_gpu        INTEGER NOT NULL DEFAULT 0,
    mem_per_node_mb      BIGINT  NOT NULL DEFAULT 0,
    mem_per_gpu_mb       BIGINT  NOT NULL DEFAULT 0,
    walltime_s           BIGINT  NOT NULL,
    workdir              TEXT,
    stdout_path          TEXT,
    stderr_path          TEXT,
    array_parent         BIGINT REFERENCES jobs (id),
    array_index          INTEGER,
    array_max_running    INTEGER,
    dependency           TEXT,
    held                 BOOLEAN NOT NULL DEFAULT FALSE,
    preemptible          BOOLEAN NOT NULL DEFAULT FALSE,
    requeueable          BOOLEAN NOT NULL DEFAULT TRUE,
    submitted_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    eligible_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at           TIMESTAMPTZ,
    ended_at             TIMESTAMPTZ,
    exit_code            INTEGER,
    end_reason           TEXT,
    pending_reason       TEXT,
    pending_detail       TEXT,
    queue_position       INTEGER,
    estimated_start      TIMESTAMPTZ,
    priority             BIGINT,
    run                  INTEGER NOT NULL DEFAULT 0,
    attained_gpu_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
    stop_requested       TEXT,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT jobs_type CHECK (type IN ('BATCH', 'TRAINING', 'INTERACTIVE')),
    CONSTRAINT jobs_state CHECK (state IN ('PENDING', 'HELD', 'STARTING', 'RUNNING', 'COMPLETED', 'FAILED',
        'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED')),
    CONSTRAINT jobs_shape CHECK (nodes >= 1 AND gpus_per_node >= 0 AND tasks_per_node >= 1),
    CONSTRAINT jobs_walltime CHECK (walltime_s > 0)
);
CREATE INDEX jobs_active_idx ON jobs (state) WHERE state IN ('PENDING', 'HELD', 'STARTING', 'RUNNING');
CREATE INDEX jobs_org_idx ON jobs (organisation_id, id DESC);
CREATE INDEX jobs_account_idx ON jobs (account_id, id DESC);
CREATE INDEX jobs_array_idx ON jobs (array_parent) WHERE array_parent IS NOT NULL;

CREATE TABLE job_dependencies (
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    kind   TEXT   NOT NULL,
    on_job BIGINT NOT NULL REFERENCES jobs (id),
    PRIMARY KEY (job_id, kind, on_job),
    CONSTRAINT job_dependencies_kind CHECK (kind IN ('afterok', 'afterany', 'afternotok'))
);
CREATE INDEX job_dependencies_on_idx ON job_dependencies (on_job);

-- The timeline of a job: every state change, with why.
CREATE TABLE job_transitions (
    id         BIGSERIAL PRIMARY KEY,
    job_id     BIGINT NOT NULL REFERENCES jobs (id),
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    detail     TEXT
);
CREATE INDEX job_transitions_job_idx ON job_transitions (job_id, id);

ALTER TABLE nodes ADD COLUMN agent_version TEXT;
ALTER TABLE nodes ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nodes ADD COLUMN state_reason TEXT;
ALTER TABLE nodes ADD COLUMN reconcile_running UUID[];
ALTER TABLE node_gpus ADD COLUMN utilization INTEGER;
ALTER TABLE node_gpus ADD COLUMN memory_used_mb BIGINT;

-- One process of a job on one node (a rank, or the batch script of that node).
CREATE TABLE launches (
    id            UUID PRIMARY KEY,
    job_id        BIGINT  NOT NULL REFERENCES jobs (id),
    run           INTEGER NOT NULL,
    node_id       BIGINT  NOT NULL REFERENCES nodes (id),
    node_rank     INTEGER NOT NULL,
    local_rank    INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    gpu_indices   INTEGER[] NOT NULL,
    cores         INTEGER NOT NULL,
    memory_mb     BIGINT  NOT NULL,
    flavor        TEXT,
    state         TEXT    NOT NULL DEFAULT 'LAUNCHING',
    pid           BIGINT,
    exit_code     INTEGER,
    exit_reason   TEXT,
    message       TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at    TIMESTAMPTZ,
    ended_at      TIMESTAMPTZ,
    cpu_seconds   DOUBLE PRECISION,
    max_rss_mb    BIGINT,
    gpu_util_sum  DOUBLE PRECISION NOT NULL DEFAULT 0,
    gpu_util_samples INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT launches_state CHECK (state IN ('LAUNCHING', 'RUNNING', 'EXITED', 'FAILED', 'LOST'))
);
CREATE INDEX launches_job_idx ON launches (job_id, run);
CREATE INDEX launches_active_idx ON launches (node_id) WHERE state IN ('LAUNCHING', 'RUNNING');

-- The hard guard against giving one GPU twice: a GPU is claimed by one job at a time, whatever the
-- number of portals committing decisions.
CREATE TABLE gpu_claims (
    node_id   BIGINT  NOT NULL REFERENCES nodes (id),
    gpu_index INTEGER NOT NULL,
    job_id    BIGINT  NOT NULL REFERENCES jobs (id),
    PRIMARY KEY (node_id, gpu_index)
);
CREATE INDEX gpu_claims_job_idx ON gpu_claims (job_id);

-- A token with no node (the portal's own in-process agents) is good for any node name.
CREATE TABLE node_tokens (
    id          BIGSERIAL PRIMARY KEY,
    node        TEXT,
    prefix      TEXT  NOT NULL,
    secret_hash BYTEA NOT NULL UNIQUE,
    created_by  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);

-- Commands for agents, delivered at every sync until done (agents drop repeats by id).
CREATE TABLE agent_commands (
    id         UUID PRIMARY KEY,
    node_id    BIGINT NOT NULL REFERENCES nodes (id),
    type       TEXT   NOT NULL,
    launch_id  UUID   NOT NULL,
    payload    JSONB  NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    done_at    TIMESTAMPTZ,
    CONSTRAINT agent_commands_type CHECK (type IN ('LAUNCH', 'STOP'))
);
CREATE INDEX agent_commands_pending_idx ON agent_commands (node_id, created_at) WHERE done_at IS NULL;

CREATE TABLE log_streams (
    launch_id   UUID    NOT NULL,
    stream      TEXT    NOT NULL,
    next_offset BIGINT  NOT NULL DEFAULT 0,
    truncated   BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (launch_id, stream)
);
CREATE TABLE log_chunks (
    launch_id UUID   NOT NULL,
    stream    TEXT   NOT NULL,
    "offset"  BIGINT NOT NULL,
    data      BYTEA  NOT NULL,
    PRIMARY KEY (launch_id, stream, "offset")
);

CREATE TABLE job_metrics (
    id     BIGSERIAL PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    run    INTEGER NOT NULL,
    at     TIMESTAMPTZ NOT NULL,
    data   JSONB  NOT NULL
);
CREATE INDEX job_metrics_job_idx ON job_metrics (job_id, id);

-- One record per job run and GPU flavor, written when the run ends.
CREATE TABLE usage_records (
    job_id            BIGINT  NOT NULL REFERENCES jobs (id),
    run               INTEGER NOT NULL,
    organisation_id   BIGINT  NOT NULL REFERENCES organisations (id),
    account_id        BIGINT  NOT NULL REFERENCES accounts (id),
    flavor            TEXT    NOT NULL,
    gpus              INTEGER NOT NULL,
    cores             INTEGER NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    ended_at          TIMESTAMPTZ NOT NULL,
    gpu_seconds       DOUBLE PRECISION NOT NULL,
    core_seconds      DOUBLE PRECISION NOT NULL,
    used_gpu_seconds  DOUBLE PRECISION,
    PRIMARY KEY (job_id, run, flavor)
);
CREATE INDEX usage_records_org_idx ON usage_records (organisation_id, ended_at);
