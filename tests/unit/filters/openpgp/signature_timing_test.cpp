// Replayed signatures (filters/openpgp/signature_timing.cpp): a good signature
// vouches for a message only when it was made shortly before the message
// arrived and the message's Date does not lie long after it.
#include <doctest/doctest.h>

#include <string>

#include "signature_timing.h"

namespace csirtgw {

TEST_CASE("signature_time_problem") {
  const std::int64_t now = 1796410800;  // 2026-12-04T19:00:00Z
  const SignatureTimeLimits limits;     // 7 days, 4 hours
  const std::int64_t hour = 3600, day = 86400;
  struct Row {
    const char* name;
    std::int64_t created;
    std::optional<std::int64_t> date;
    std::string starts;  // "" = no problem
  };
  const Row rows[] = {
      {"just signed, just dated", now - 60, now - 60, ""},
      {"queued for a while at the MTA", now - 3 * day, now - 3 * day + 5, ""},
      {"no Date", now - hour, std::nullopt, ""},
      {"Date before the signature (signed later)", now - hour, now - 2 * day, ""},
      {"Date 3 hours after the signature", now - 3 * hour, now, ""},
      {"unknown creation time", 0, now, ""},
      {"signed 30 days ago", now - 30 * day, now - 30 * day, "the signature was made 2026-11-04T19:00:00Z, 30 days before"},
      {"signed 2 days ago, dated now", now - 2 * day, now, "the message's Date (2026-12-04T19:00:00Z) is 2 days after the "
                                                           "signature was made 2026-12-02T19:00:00Z"},
      {"signed 5 hours after it arrived", now + 5 * hour, now, "the signature was made 2026-12-05T00:00:00Z, 5 hours after"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const std::string problem = signature_time_problem(row.created, now, row.date, limits);
    if (row.starts.empty())
      CHECK(problem == "");
    else
      CHECK(problem.rfind(row.starts, 0) == 0);
  }
  CHECK(signature_time_problem(now - 30 * day, now, std::nullopt, limits).find("openpgp.signature_max_age, 7 days") !=
        std::string::npos);
  CHECK(signature_time_problem(now - 30 * day, now, std::nullopt, {40 * day, 4 * hour}).empty());
}

TEST_CASE("parse_received_at and utc_time_text") {
  CHECK(parse_received_at("2026-12-04T19:00:00.123456Z") == 1796410800);
  CHECK_FALSE(parse_received_at("").has_value());
  CHECK_FALSE(parse_received_at("yesterday").has_value());
  CHECK(utc_time_text(1796410800) == "2026-12-04T19:00:00Z");
}

}  // namespace csirtgw
