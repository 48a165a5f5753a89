// extract_indicators (filters/parsers/indicator_extractor.h) over arbitrary text, plus
// the canonicalising helpers it is built from.
//
// Input: byte 0 = options (bit 0: a small max_indicators from bits 1-7), the
// rest = the text.
//
// Checked: at most max_indicators, no duplicate (kind, value), every value
// non-empty; canonical forms are fixed points (an IP indicator is its own
// canonical_ip_address, a domain is is_domain_name, a timestamp is its own
// canonical_timestamp).
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz_common.h"
#include "indicator_extractor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  std::string_view text = fuzz::as_text(data, size);
  const std::uint8_t options = fuzz::take_byte(text);
  const std::size_t max = (options & 1) ? (options >> 1) : 10000;

  const auto indicators = extract_indicators(text, max);
  FUZZ_CHECK(indicators.size() <= max, "more indicators than max_indicators");
  std::set<std::pair<int, std::string>> seen;
  for (const auto& i : indicators) {
    FUZZ_CHECK(!i.value.empty(), "empty indicator");
    FUZZ_CHECK(seen.emplace(static_cast<int>(i.kind), i.value).second, "duplicate indicator");
    switch (i.kind) {
      case IndicatorKind::ipv4:
      case IndicatorKind::ipv6:
        FUZZ_CHECK(canonical_ip_address(i.value) == i.value, "IP indicator not canonical");
        break;
      case IndicatorKind::domain:
        FUZZ_CHECK(is_domain_name(i.value), "domain indicator is not a domain name");
        break;
      case IndicatorKind::timestamp:
        FUZZ_CHECK(canonical_timestamp(i.value) == i.value, "timestamp indicator not canonical");
        break;
      default:
        break;
    }
  }
  (void)canonical_timestamp(text);
  (void)canonical_ip_address(text);
  (void)is_domain_name(text);
  return 0;
}
