// The ARF / X-ARF / XARF v4 parsers (filters/parsers/abuse_report_parsers.h) over
// arbitrary messages, behind the same scan_mime pre-check with the daemon's
// default MimeLimits that filters/classify/classify_stage.cpp runs first.
//
// Also the message evidence reader (filters/parsers/message_evidence.h:
// attachments hashed, forwarded originals read) over the same tree.
//
// Checked: no exception escapes (libFuzzer reports one as a crash), the format
// names are the documented ones, evidence hashes are hex digests of their size.
#include <string_view>

#include "abuse_report_parsers.h"
#include "config.h"
#include "fuzz_common.h"
#include "message_evidence.h"
#include "mime_structure.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  static const MimeLimits limits = mime_limits_from(default_config());
  const std::string_view message = fuzz::as_text(data, size);
  auto scanned = scan_mime(message, limits);
  if (!scanned) return 0;
  if (auto arf = parse_arf(message, scanned.value())) FUZZ_CHECK(arf->format == "arf", "parse_arf format");
  if (auto xarf = parse_xarf(message, scanned.value()))
    FUZZ_CHECK(xarf->format == "x-arf" || xarf->format == "xarf-v4" || xarf->format == "xarf-v3", "parse_xarf format");
  ReportContent evidence;
  add_message_evidence(message, scanned.value(), limits, evidence);
  for (const auto& indicator : evidence.indicators) {
    if (indicator.origin != IndicatorOrigin::attachment) continue;
    const std::size_t size = indicator.kind == IndicatorKind::sha256 ? 64 : indicator.kind == IndicatorKind::sha1 ? 40 : 32;
    FUZZ_CHECK(indicator.value.size() == size, "attachment digest size");
  }
  return 0;
}
