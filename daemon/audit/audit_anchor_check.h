// `csirtgw audit verify --anchors FILE`: the audit chain checked against its
// signed anchors (audit_anchor.h). The chain must verify on its own; then each
// anchor's signature must be good and made by the team key, and the event the
// anchor names must still be in the store with the hash it names. A chain
// rewritten and hashed again from some event on verifies on its own, but not
// against an anchor signed before the rewrite; rows deleted from the end leave
// an anchor naming an event the chain no longer has.
// Read-only: it never writes the store, the anchors file or the GnuPG home's keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct AnchoredVerdict {
  bool intact = false;
  std::int64_t events = 0;
  std::string head_hash;
  std::size_t anchors = 0;  // anchors verified
  // When not intact, what follows "broken: ": "event N: <why>" (the chain's
  // own break), "anchor K: bad signature (<why>)", "anchor K (seq S, signed
  // T): event S has hash X, anchored Y — …", "anchor K (line L): <format problem>".
  std::string broken;
};

// `team_fingerprint`: the key every anchor must be signed with, looked up in
// `gnupg_home`. Errors are for what stopped the check (store unreadable, gpg
// not working), never for tampering: that is a verdict.
Result<AnchoredVerdict> verify_chain_against_anchors(Database& db, std::string_view anchors_text,
                                                     const std::filesystem::path& gnupg_home,
                                                     const std::string& team_fingerprint);

}  // namespace csirtgw
