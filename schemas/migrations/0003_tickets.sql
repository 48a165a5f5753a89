-- csirtgw store, version 3: tickets. Each has a number unique to the team
-- (shown as "[<prefix> #<number>]"); messages join it as the report or as
-- follow-ups; other teams' ticket tags are kept as external references
-- (RFC 2350 3.4.2); staff actions are comments and state changes, each audited.
CREATE TABLE tickets (
  number       INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  queue        TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('open', 'taken', 'resolved')),
  owner        TEXT NOT NULL DEFAULT '',
  type         TEXT NOT NULL,
  priority     INTEGER NOT NULL,
  tlp          TEXT NOT NULL,
  constituency INTEGER NOT NULL,
  categories   TEXT NOT NULL,             -- comma list of disclosure categories
  encryption   TEXT NOT NULL,
  signature    TEXT NOT NULL
);
CREATE INDEX tickets_by_queue ON tickets (queue, state);
CREATE INDEX tickets_by_created ON tickets (created_at);

-- The spool id makes joining idempotent: a message re-filed after a crash finds its ticket.
CREATE TABLE ticket_messages (
  spool_id   TEXT PRIMARY KEY,
  ticket     INTEGER NOT NULL REFERENCES tickets (number),
  message_id TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('report', 'follow-up')),
  added_at   TEXT NOT NULL
);
CREATE INDEX ticket_messages_by_message_id ON ticket_messages (message_id);
CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket);

CREATE TABLE ticket_external_refs (
  ticket    INTEGER NOT NULL REFERENCES tickets (number),
  reference TEXT NOT NULL,                -- e.g. "ABC-CSIRT #991"
  PRIMARY KEY (ticket, reference)
);

CREATE TABLE ticket_comments (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket INTEGER NOT NULL REFERENCES tickets (number),
  at     TEXT NOT NULL,
  author TEXT NOT NULL,
  text   TEXT NOT NULL
);
