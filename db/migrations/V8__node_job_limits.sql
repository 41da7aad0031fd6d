-- How each node's agent holds jobs, as it says at registration, so that platform admins see a node that runs jobs
-- without limits without reading its log. job_limits: 'cgroup-v2', 'cgroup-v1' (memory and cores) or 'none';
-- gpu_isolation: 'device-cgroup' (a job may open only its own GPUs) or 'cuda-visible-devices' (the variable alone
-- steers jobs), NULL on a node without real GPUs. Both NULL until an agent that reports them registers.
ALTER TABLE nodes ADD COLUMN job_limits TEXT CHECK (job_limits IN ('cgroup-v2', 'cgroup-v1', 'none'));
ALTER TABLE nodes ADD COLUMN gpu_isolation TEXT CHECK (gpu_isolation IN ('device-cgroup', 'cuda-visible-devices'));
