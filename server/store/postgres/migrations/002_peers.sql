-- The processes that take an account's changes from their peers (SEATKIT_PEER_URL, see
-- server/affinity.ts): each writes its address here every two seconds; an address not written for
-- a few seconds is a process that is gone.
CREATE TABLE seatkit_peers (
  url text PRIMARY KEY,
  seen timestamptz NOT NULL
);
