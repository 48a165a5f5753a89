// Signature creation time against arrival and Date (signature_timing.h).
#include "signature_timing.h"

#include <time.h>

#include "utc_text.h"

namespace csirtgw {
namespace {

std::string duration_text(std::int64_t seconds) {
  if (seconds >= 2 * 86400) return std::to_string(seconds / 86400) + " days";
  if (seconds >= 2 * 3600) return std::to_string(seconds / 3600) + " hours";
  if (seconds >= 120) return std::to_string(seconds / 60) + " minutes";
  return std::to_string(seconds) + " seconds";
}

}  // namespace

std::string utc_time_text(std::int64_t seconds) { return utc_text(seconds, "%Y-%m-%dT%H:%M:%SZ"); }

std::optional<std::int64_t> parse_received_at(std::string_view text) {
  std::tm tm{};
  const std::string copy(text.substr(0, 19));
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string signature_time_problem(std::int64_t created, std::int64_t arrived, std::optional<std::int64_t> date,
                                   const SignatureTimeLimits& limits) {
  if (created <= 0) return {};
  const std::string made = "the signature was made " + utc_time_text(created);
  if (arrived - created > limits.max_age)
    return made + ", " + duration_text(arrived - created) + " before the message arrived (more than " +
           "openpgp.signature_max_age, " + duration_text(limits.max_age) + "): an old signature sent again?";
  if (created - arrived > limits.date_skew)
    return made + ", " + duration_text(created - arrived) + " after the message arrived (more than " +
           "openpgp.date_skew, " + duration_text(limits.date_skew) + ")";
  if (date && *date - created > limits.date_skew)
    return "the message's Date (" + utc_time_text(*date) + ") is " + duration_text(*date - created) + " after " +
           made + " (more than openpgp.date_skew, " + duration_text(limits.date_skew) +
           "): an old signature on a message sent again?";
  return {};
}

}  // namespace csirtgw
