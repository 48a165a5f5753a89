-- csirtgw store: staff are keys. A staff member writes to the gateway's staff
-- address with a message signed by a key registered here; a key is either a
-- reporter's (reporter_keys) or a staff member's, never both. A removed staff
-- key stays in the table (removed_at set) so that its later mail is refused
-- naming why, and the history of who could act stays readable.
CREATE TABLE staff_keys (
  fingerprint TEXT PRIMARY KEY,            -- upper-case hex, primary key
  email       TEXT NOT NULL,               -- lower-case addr-spec
  name        TEXT NOT NULL DEFAULT '',
  added_at    TEXT NOT NULL,
  added_by    TEXT NOT NULL,
  removed_at  TEXT NOT NULL DEFAULT '',    -- '' while the key may act
  removed_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX staff_keys_by_email ON staff_keys (email);

-- Every staff command message acted on (or refused after a good staff
-- signature), keyed by its spool id: a message filed again after a crash is
-- not acted on twice. The same signed command sent again (same signer,
-- signature time and text) is a replay and is refused.
CREATE TABLE staff_commands (
  spool_id   TEXT PRIMARY KEY,
  signer     TEXT NOT NULL,
  signed_at  INTEGER NOT NULL,
  text_hash  TEXT NOT NULL,                -- SHA-256 of the decrypted command text
  ticket     INTEGER NOT NULL DEFAULT 0,
  action     TEXT NOT NULL,
  outcome    TEXT NOT NULL,                -- done | refused
  at         TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_commands_once ON staff_commands (signer, signed_at, text_hash);
