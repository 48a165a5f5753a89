-- csirtgw store, version 8: the indicators of every filed message, per ticket,
-- for `csirtgw search`. Stored in the transaction that assigns the message's
-- ticket, keyed by its spool id (a message filed again after a crash adds none).
--   kind    ip | cidr | domain | url | email | sha256 | sha1 | md5 | cve
--   value   the canonical text (refanged; lower case where case does not matter)
--   ip      ip and cidr: the address (cidr: the network's first address) as 16
--           bytes, IPv4 mapped into ::ffff:0:0/96, so that a CIDR search is one
--           range scan of indicators_by_ip
--   prefix  ip and cidr: the prefix length over those 128 bits (an address
--           128, an IPv4 /24 120), so that the range scan alone (ip, prefix,
--           rowid) says which rows match and which are newest
--   rdomain domain: the labels reversed with a closing dot ("org.example.www."),
--           email: those of its domain, so that "example.org" finds itself and
--           its subdomains with one prefix scan of indicators_by_domain
--   origin  report-text | forwarded-original | attachment
CREATE TABLE indicators (
  id       INTEGER PRIMARY KEY,
  spool_id TEXT NOT NULL,
  ticket   INTEGER NOT NULL REFERENCES tickets (number),
  kind     TEXT NOT NULL CHECK (kind IN ('ip', 'cidr', 'domain', 'url', 'email', 'sha256', 'sha1', 'md5', 'cve')),
  value    TEXT NOT NULL,
  ip       BLOB CHECK (ip IS NULL OR length(ip) = 16),
  prefix   INTEGER,
  rdomain  TEXT,
  origin   TEXT NOT NULL CHECK (origin IN ('report-text', 'forwarded-original', 'attachment'))
);
CREATE INDEX indicators_by_value ON indicators (kind, value);
CREATE INDEX indicators_by_ip ON indicators (ip, prefix) WHERE ip IS NOT NULL;
CREATE INDEX indicators_by_domain ON indicators (rdomain) WHERE rdomain IS NOT NULL;
CREATE INDEX indicators_by_spool ON indicators (spool_id);
