// Whether a report may be acknowledged at all (RFC 3834 and loop prevention):
// never to a null sender, to automatic or bulk mail, to mailing lists, to
// role/robot addresses or to the team itself. The per-sender rate limit needs
// the store and is applied by the worker (ack_rate_limited).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config.h"

namespace csirtgw {

struct AckCandidate {
  std::string_view sender;       // envelope sender ("" = null)
  std::string_view headers;      // the report's header block as received
  bool new_ticket = false;       // false: a follow-up to an existing ticket
  bool failed = false;           // quarantined: undecryptable, malformed, bad signature
};

// The reason no acknowledgement may be sent (for the audit log; attacker text
// in it is escaped), or nullopt when one may.
std::optional<std::string> ack_suppression(const AckCandidate& candidate, const Config& config);

// The rate limit: `already` acknowledgements to this address in the window.
std::optional<std::string> ack_rate_limited(std::int64_t already, const Config& config);

// The backscatter caps (ack_planner.h): `already` acknowledgements to this
// recipient's domain within ack.rate_window, and to anyone within the hour.
// The reasons name the cap and the counts, never the address or the domain.
inline constexpr std::int64_t kGlobalAckWindow = 3600;  // ack.global_rate_limit is per hour
std::optional<std::string> ack_domain_capped(std::int64_t already, const Config& config);
std::optional<std::string> ack_global_capped(std::int64_t already, const Config& config);

}  // namespace csirtgw
