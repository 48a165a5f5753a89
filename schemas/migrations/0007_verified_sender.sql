-- csirtgw store, version 7: who was verified. Each message of a ticket
-- records its signature status and, when a good signature verified its sender,
-- the From address bound to the signing key and the organisation the registry
-- names for that binding; the ticket keeps those of the report that opened it.
-- `ticket show` prints them.
ALTER TABLE tickets ADD COLUMN verified_address TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN verified_org TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_messages ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_messages ADD COLUMN verified_address TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_messages ADD COLUMN verified_org TEXT NOT NULL DEFAULT '';
