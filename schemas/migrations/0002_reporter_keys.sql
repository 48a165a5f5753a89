-- csirtgw store, version 2: the reporter key registry, like a subscription list.
-- A signature verifies a sender only when the signing key's primary fingerprint
-- is bound here to the message's one From address.
CREATE TABLE reporter_keys (
  fingerprint  TEXT NOT NULL,          -- upper-case hex, primary key
  email        TEXT NOT NULL,          -- lower-case addr-spec
  organisation TEXT NOT NULL DEFAULT '',
  added_at     TEXT NOT NULL,
  added_by     TEXT NOT NULL,
  PRIMARY KEY (fingerprint, email)
);
CREATE INDEX reporter_keys_by_email ON reporter_keys (email);
