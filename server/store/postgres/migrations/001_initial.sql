-- seatkit on PostgreSQL: each account is a snapshot and a journal of its changes since, like the
-- file store, so every process keeps each account in memory and catches up from the journal
-- (under the account's row lock for a change); the audit log, session and invitation tokens,
-- webhook endpoints, leases and rate-limit windows are shared by every process.

CREATE TABLE seatkit_accounts (
  id text PRIMARY KEY,
  -- The account's change sequence (the journal's last seq) and its audit events so far.
  seq bigint NOT NULL,
  event_count bigint NOT NULL,
  -- The whole account as of snapshot_seq (what the file store's checkpoint holds), and its events then.
  snapshot jsonb NOT NULL,
  snapshot_seq bigint NOT NULL,
  snapshot_event_count bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per change since (a little before) the snapshot: what the change changed.
CREATE TABLE seatkit_journal (
  account_id text NOT NULL REFERENCES seatkit_accounts (id),
  seq bigint NOT NULL,
  record jsonb NOT NULL,
  PRIMARY KEY (account_id, seq)
);

-- The audit log, by position in the account's log.
CREATE TABLE seatkit_events (
  account_id text NOT NULL REFERENCES seatkit_accounts (id),
  position bigint NOT NULL,
  event jsonb NOT NULL,
  PRIMARY KEY (account_id, position)
);

-- Which events name each user (a user's history).
CREATE TABLE seatkit_event_users (
  account_id text NOT NULL,
  user_id text NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (account_id, user_id, position)
);

-- SHA-256 of each session and pending invitation token → its account.
CREATE TABLE seatkit_tokens (
  hash text PRIMARY KEY,
  account_id text NOT NULL REFERENCES seatkit_accounts (id)
);
CREATE INDEX seatkit_tokens_account ON seatkit_tokens (account_id);

CREATE TABLE seatkit_webhook_endpoints (
  id text PRIMARY KEY,
  record jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Work only one process may do at a time (a webhook attempt, a scheduled job), until `until`.
CREATE TABLE seatkit_leases (
  key text PRIMARY KEY,
  until timestamptz NOT NULL
);

-- Fixed-window rate-limit counters, shared by every process.
CREATE TABLE seatkit_rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  count integer NOT NULL
);
