-- Public keys users register in the portal for SSH logins (issue 6).
-- One key may be registered once per account; the fingerprint (SHA256, as OpenSSH prints it)
-- is what the SSH server looks keys up by.
CREATE TABLE ssh_keys (
    id           BIGSERIAL PRIMARY KEY,
    account_id   BIGINT      NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_type     TEXT        NOT NULL,
    bits         INTEGER     NOT NULL,
    fingerprint  TEXT        NOT NULL,
    public_key   TEXT        NOT NULL,
    comment      TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    CONSTRAINT ssh_keys_unique_per_account UNIQUE (account_id, fingerprint)
);
CREATE INDEX ssh_keys_fingerprint_idx ON ssh_keys (fingerprint);
