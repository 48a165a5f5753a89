-- csirtgw store, version 6: who takes part in a ticket, and what needs a look.
-- Each message of a ticket records its From address and whether its sender was
-- a participant (the reporter's address, a verified signer of a registered key,
-- or an earlier participant). A follow-up from anyone else raises the ticket's
-- attention (a count staff see in `ticket show`), never its trust.
ALTER TABLE ticket_messages ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_messages ADD COLUMN participant INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN attention INTEGER NOT NULL DEFAULT 0;
