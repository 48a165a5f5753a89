-- csirtgw store, version 4: the outbound queue of acknowledgements. A row is
-- written in the same transaction that records the report as filed, after the
-- message file (outbound/new/<spool_id>) is on disk: a crash before that commit
-- leaves neither, after it the sender finds the row and sends. `spool_id` (the
-- report acknowledged) is unique, so a re-filed report never queues a second ack.
CREATE TABLE outbound (
  spool_id        TEXT PRIMARY KEY,
  ticket          TEXT NOT NULL,
  recipient       TEXT NOT NULL COLLATE NOCASE,  -- the report's envelope sender
  message_id      TEXT NOT NULL,          -- the ack's own Message-ID
  encrypted       INTEGER NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  queued_at       INTEGER NOT NULL,       -- unix seconds
  next_attempt_at INTEGER NOT NULL,       -- unix seconds
  last_reply      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbound_due ON outbound (state, next_attempt_at);
CREATE INDEX outbound_by_recipient ON outbound (recipient, queued_at);
CREATE INDEX outbound_by_message_id ON outbound (message_id);
