// The audit chain's anchors: the chain head (seq and hash), the time and the
// team key's fingerprint, signed with the team key and appended to
// <state>/audit-anchors.asc, a file outside the database that a team ships to
// syslog or another host. Whoever can write csirtgw.db can rewrite the chain
// and hash it again; an anchor signed before that still names the old hash.
// This file is the record format only: building a record, reading a file of
// them back. No I/O and no gpg here (audit_anchor_writer.h signs and appends,
// audit_anchor_check.h verifies).
//
// One record, exactly these lines, each ending in LF:
//
//   csirtgw-audit-anchor: 1
//   seq: 42
//   head: <64 lower-case hex digits: the hash of event 42>
//   signed-at: 2026-12-04T19:20:00.123456Z
//   key: <40 upper-case hex digits: the team key's fingerprint>
//   -----BEGIN PGP SIGNATURE-----
//   ...
//   -----END PGP SIGNATURE-----
//   <an empty line>
//
// The signature is a detached OpenPGP signature over the first five lines
// (from "csirtgw-audit-anchor" to the "key:" line, LFs included). Records
// follow one another; empty lines between them are ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace csirtgw {

inline constexpr std::string_view kAnchorFileName = "audit-anchors.asc";

struct AuditAnchor {
  std::int64_t seq = 0;         // the newest event when signed
  std::string head_hash;        // its hash
  std::string signed_at;        // UTC, as utc_timestamp_now()
  std::string key_fingerprint;  // the team key
};

// The signed text of an anchor: the first five lines of its record.
std::string anchor_statement(const AuditAnchor& anchor);

// The whole record, the empty line after it included. Refuses an anchor whose
// fields would not read back (a record the parser refuses is never written)
// and anything but one armored signature block.
Result<std::string> anchor_record(const AuditAnchor& anchor, std::string_view armored_signature);

struct AnchorRecord {
  AuditAnchor anchor;
  std::string statement;  // the signed bytes, as in the file
  std::string signature;  // the armored block, BEGIN to END line, LFs included
  int line = 0;           // the record's first line in the file (1-based)
};

struct ParsedAnchors {
  std::vector<AnchorRecord> records;    // every record before the first problem
  std::size_t complete_length = 0;      // octets up to the end of the last good record
  std::optional<std::string> problem;   // "anchor K (line L): what is wrong"
  // The problem is a last record the file ends inside: an append cut short by
  // a crash (the writer drops it at start-up; audit verify reports it).
  bool torn_tail = false;
};
ParsedAnchors parse_anchor_file(std::string_view text);

}  // namespace csirtgw
