-- csirtgw store, version 9: the ticket desk (issue 18). A ticket keeps the
-- sanitised Subject and the From address of the report that opened it; staff
-- can reject a ticket as not an incident (with a reason), merge one into
-- another (the merged one points at the ticket that goes on) and link two
-- tickets; the first staff answer and the resolution are timestamped, for the
-- statistics' time to first response and to resolution.

-- 'rejected' and 'merged' join the states. SQLite cannot ALTER a CHECK, and a
-- rebuild of `tickets` would have to name every column (dropping any a later
-- or parallel migration added) and fight the foreign keys of ticket_messages.
-- Widening the set of allowed values leaves every stored row valid, so the
-- table's text is edited in place (SQLite's documented procedure for relaxing
-- a constraint, lang_altertable.html section 7) and the schema reloaded; the
-- DDL below bumps the schema cookie for every other connection.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (state IN (''open'', ''taken'', ''resolved''))',
                     'CHECK (state IN (''open'', ''taken'', ''resolved'', ''rejected'', ''merged''))')
 WHERE type = 'table' AND name = 'tickets';
PRAGMA writable_schema = RESET;
-- Fails the migration (and so rolls it back) if the CHECK was not where it was expected.
CREATE TEMP TABLE migration_0009_check (widened INTEGER CHECK (widened = 1));
INSERT INTO migration_0009_check
  SELECT instr(sql, '''rejected'', ''merged''') > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'tickets';
DROP TABLE migration_0009_check;

ALTER TABLE tickets ADD COLUMN subject TEXT NOT NULL DEFAULT '';      -- sanitised, bounded (tickets.subject_max)
ALTER TABLE tickets ADD COLUMN reporter TEXT NOT NULL DEFAULT '';     -- the opening report's one From address
ALTER TABLE tickets ADD COLUMN reject_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets (number);
ALTER TABLE tickets ADD COLUMN first_response_at TEXT NOT NULL DEFAULT '';  -- '' = no staff answer yet
ALTER TABLE tickets ADD COLUMN resolved_at TEXT NOT NULL DEFAULT '';        -- '' = not resolved

-- A link is undirected: stored once, the smaller number first.
CREATE TABLE ticket_links (
  a          INTEGER NOT NULL REFERENCES tickets (number),
  b          INTEGER NOT NULL REFERENCES tickets (number),
  created_at TEXT NOT NULL,
  author     TEXT NOT NULL,
  PRIMARY KEY (a, b),
  CHECK (a < b)
);
CREATE INDEX ticket_links_by_b ON ticket_links (b);
CREATE INDEX ticket_external_refs_by_reference ON ticket_external_refs (reference COLLATE NOCASE);

-- Tickets of an existing store: the reporter from the opening report's row,
-- the first answer and the last resolution from the audited staff actions.
UPDATE tickets SET reporter = coalesce(
  (SELECT m.sender FROM ticket_messages m WHERE m.ticket = tickets.number AND m.role = 'report' LIMIT 1), '');
UPDATE tickets SET first_response_at = coalesce(
  (SELECT min(a.at) FROM audit a WHERE a.event IN ('ticket-take', 'ticket-comment', 'ticket-resolve')
      AND json_valid(a.detail) AND json_extract(a.detail, '$.ticket') = tickets.number), '');
UPDATE tickets SET resolved_at = coalesce(
  (SELECT max(a.at) FROM audit a WHERE a.event = 'ticket-resolve'
      AND json_valid(a.detail) AND json_extract(a.detail, '$.ticket') = tickets.number), updated_at)
 WHERE state = 'resolved';
