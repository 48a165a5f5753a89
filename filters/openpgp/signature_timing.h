// Replayed signatures: a report signed weeks ago, sent again with a new Date,
// Subject and Message-ID, carries a good signature by a registered key -- and
// must not vouch for the sender now. A good signature counts only when it was
// made shortly before the message arrived (openpgp.signature_max_age) and the
// message's Date does not lie after it by more than openpgp.date_skew (mail
// clients sign as they send: the two are seconds apart). A Date earlier than
// the signature is no replay (a draft signed later, a message signed again).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace csirtgw {

struct SignatureTimeLimits {
  std::int64_t max_age = 7 * 86400;   // openpgp.signature_max_age, seconds
  std::int64_t date_skew = 4 * 3600;  // openpgp.date_skew, seconds
};

// Why a good signature made at `created` does not vouch for a message that
// arrived at `arrived` with the Date `date` (nullopt: none, or none readable);
// "" when the times agree. Times in seconds since the epoch; `created` 0
// (unknown) is not judged.
std::string signature_time_problem(std::int64_t created, std::int64_t arrived, std::optional<std::int64_t> date,
                                   const SignatureTimeLimits& limits);

// "2026-12-04T19:20:00Z"
std::string utc_time_text(std::int64_t seconds);

// The intake's "2026-12-04T19:20:00.123456Z" as seconds since the epoch; nullopt when unreadable.
std::optional<std::int64_t> parse_received_at(std::string_view text);

}  // namespace csirtgw
