// The one sanitiser and the JSON writer built on it: whatever bytes come in,
// valid UTF-8 without control characters comes out, bounded, and JSON writing
// never throws.
#include <doctest/doctest.h>

#include <random>

#include "json_text.h"
#include "untrusted_text.h"

using namespace csirtgw;

namespace {

bool valid_utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();  // nlohmann's strict UTF-8 check throws on invalid input
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool has_control(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return s.find("\xC2\x80") != std::string::npos || s.find("\xC2\x9B") != std::string::npos;
}

}  // namespace

TEST_CASE("sanitize_untrusted: each class of bad byte") {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain ascii", "plain ascii"},
      {"caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC"},             // valid multi-byte kept
      {"a\xFF" "b", "a\xEF\xBF\xBD" "b"},                                      // invalid byte
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                               // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},               // surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // above U+10FFFF
      {"cut \xE2\x82", "cut \xEF\xBF\xBD\xEF\xBF\xBD"},                        // truncated sequence
      {"\x1b]0;owned\x07\x1b[2J", "\\x1b]0;owned\\x07\\x1b[2J"},              // terminal escapes
      {"a\r\nX-Injected: 1", "a\\x0d\\x0aX-Injected: 1"},                      // header / log injection
      {"del\x7f", "del\\x7f"},
      {"c1 \xC2\x9B" "2J", "c1 \\x9b2J"},                                     // C1 CSI
      {"bidi \xE2\x80\xAE" "txt", "bidi \\u202etxt"},                         // right-to-left override
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    const auto out = sanitize_untrusted(c.in);
    CHECK(out == c.out);
    CHECK(sanitize_untrusted(out) == out);  // idempotent
  }
  CHECK(sanitize_untrusted(std::string("nul\0byte", 8)) == "nul\\x00byte");
}

TEST_CASE("sanitize_untrusted: bounded, cut at a character boundary") {
  const std::string euro = "\xE2\x82\xAC";
  std::string text;
  for (int i = 0; i < 100; ++i) text += euro;
  for (std::size_t max : {0u, 1u, 3u, 4u, 5u, 7u, 10u, 64u, 299u, 300u, 301u}) {
    CAPTURE(max);
    const auto out = sanitize_untrusted(text, max);
    CHECK(out.size() <= max);
    CHECK(valid_utf8(out));
    if (max >= 300) CHECK(out == text);
    if (max >= 3 && max < 300) CHECK(out.substr(out.size() - 3) == "\xE2\x80\xA6");  // the ellipsis marks the cut
  }
  CHECK(sanitize_untrusted("exactly10!", 10) == "exactly10!");
  CHECK(sanitize_untrusted("eleven chars", 10) == "eleven \xE2\x80\xA6");
}

TEST_CASE("sanitize_untrusted and json_text: random bytes never escape") {
  std::mt19937 rng(20261204);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes(rng() % 80, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng() % 256);
    const auto out = sanitize_untrusted(bytes, 64);
    REQUIRE(out.size() <= 64);
    REQUIRE(valid_utf8(out));
    REQUIRE_FALSE(has_control(out));
    nlohmann::json doc = {{bytes, bytes}, {"list", {bytes, 1, true}}, {"nested", {{"k", bytes}}}};
    std::string written;
    REQUIRE_NOTHROW(written = json_text(doc));
    REQUIRE(valid_utf8(written));
    REQUIRE_NOTHROW((void)nlohmann::json::parse(written));
  }
}

TEST_CASE("json_text: writes what dump() would throw on") {
  // A field name with one invalid byte (ARF), and an error text cut mid-character (yaml-cpp).
  nlohmann::json detail = {{"field_errors", {{{"field", "Feedback-\xFFType"}, {"error", "unknown escape \xE2\x82"}}}}};
  CHECK_THROWS(detail.dump());
  const auto written = json_text(detail);
  CHECK(written.find("Feedback-\xEF\xBF\xBDType") != std::string::npos);
  CHECK(nlohmann::json::parse(written)["field_errors"][0]["error"] == "unknown escape \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(json_text({{"n", 1}, {"b", false}}) == R"({"b":false,"n":1})");
  CHECK(json_text(nlohmann::json::array(), 2) == "[]");
}
