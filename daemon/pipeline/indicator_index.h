// The indicators of filed messages in the store (schemas/migrations/0008),
// per ticket and per message: stored in the transaction that assigns the
// message's ticket, searched by `csirtgw search`. Every lookup is an index
// scan (indicator_keys.h): an address or a CIDR block is a range of 16-byte
// keys, a domain with its subdomains a range of reversed labels, the rest an
// exact (kind, value) or, for a URL, a prefix of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "indicator_keys.h"
#include "report.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct StoredIndicators {
  std::size_t stored = 0;   // rows added now (0 when the message had them already)
  std::size_t dropped = 0;  // over the limit, not stored
  bool earlier = false;     // stored before (a message filed again after a crash)
};
// Within the caller's write transaction, after `ticket` was assigned to the
// report: its indicators (those of a kind search knows), at most
// `max_indicators` of them, in the order found. Keyed by the spool id: a
// message that has its rows already gets none again.
Result<StoredIndicators> store_indicators(Database& db, const Report& report, std::int64_t ticket,
                                          std::size_t max_indicators);

struct IndicatorHit {
  std::int64_t id = 0;  // row, newest highest
  std::int64_t ticket = 0;
  std::string value, kind, origin, spool_id;  // value: as stored (untrusted: sanitise before printing)
  std::string queue, state, tlp, when;        // the ticket's; when: the message's filing time
};
struct SearchHits {
  std::vector<IndicatorHit> hits;  // newest first
  bool more = false;               // more than `limit` matched
};
// `kind`: only stored indicators of this kind ("ip", "domain", "email" ...).
Result<SearchHits> search_indicators(Database& db, const SearchQuery& query, const std::optional<std::string>& kind,
                                     std::size_t limit);

}  // namespace csirtgw
