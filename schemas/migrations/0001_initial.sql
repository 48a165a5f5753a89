-- csirtgw store, version 1: received messages and the hash-chained audit log.
-- Applied inside one transaction; PRAGMA user_version records the version.

-- One row per message accepted with a 250. `seq` orders the worker's queue;
-- (message_id, sha256, resend_key) recognises an MTA's resend of the same message.
CREATE TABLE messages (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  spool_id     TEXT NOT NULL UNIQUE,
  received_at  TEXT NOT NULL,
  protocol     TEXT NOT NULL,
  peer         TEXT NOT NULL,
  helo         TEXT NOT NULL,
  sender       TEXT NOT NULL,
  recipients   TEXT NOT NULL,              -- JSON [{"address":..,"intake":..}]
  resend_key   TEXT NOT NULL,              -- sorted recipients: a resend goes to the same ones
  message_id   TEXT NOT NULL,              -- '' when the message has none
  sha256       TEXT NOT NULL,
  size         INTEGER NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('spooled', 'filed', 'lost')),
  queue        TEXT,
  maildir_name TEXT
);
CREATE INDEX messages_by_content ON messages (message_id, sha256);
CREATE INDEX messages_by_state ON messages (state, seq);

-- Append-only; hash = SHA-256(prev_hash || canonical encoding of this row).
CREATE TABLE audit (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  event     TEXT NOT NULL,
  spool_id  TEXT NOT NULL,
  actor     TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);
CREATE INDEX audit_by_spool_id ON audit (spool_id);

-- The chain head, so that removing the newest rows is detected too.
CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
