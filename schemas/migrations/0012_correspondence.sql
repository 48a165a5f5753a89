-- csirtgw store, version 12: correspondence from a ticket (issue 17). Each
-- message staff send through csirtgw (a reply to the reporter, a forward to
-- another team or constituent) is one row: who wrote it, to whom, the key it
-- was encrypted to ('' when signed only), its Message-ID (a reporter's answer
-- naming it in In-Reply-To joins the ticket), the SHA-256 of the bytes queued
-- for the smarthost and the gate rule that let it out. `outbound_id` names its
-- row in `outbound` (and its file outbound/new/<id>), where the sender
-- delivers it like an acknowledgement. Acknowledgements and correspondence
-- share the outbound spool; `kind` tells them apart, so that staff mail never
-- counts against the acknowledgement rate limits.
CREATE TABLE ticket_correspondence (
  id                    INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket                INTEGER NOT NULL REFERENCES tickets (number),
  at                    TEXT NOT NULL,
  direction             TEXT NOT NULL CHECK (direction IN ('out')),
  kind                  TEXT NOT NULL CHECK (kind IN ('reply', 'forward')),
  staff                 TEXT NOT NULL,
  staff_fingerprint     TEXT NOT NULL DEFAULT '',
  recipient             TEXT NOT NULL COLLATE NOCASE,
  recipient_fingerprint TEXT NOT NULL DEFAULT '',
  encrypted             INTEGER NOT NULL,
  message_id            TEXT NOT NULL UNIQUE,
  sha256                TEXT NOT NULL,
  rule                  TEXT NOT NULL,
  outbound_id           TEXT NOT NULL
);
CREATE INDEX ticket_correspondence_by_ticket ON ticket_correspondence (ticket, at);

ALTER TABLE outbound ADD COLUMN kind TEXT NOT NULL DEFAULT 'ack';
