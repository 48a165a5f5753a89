// UTC text (utc_text.h).
#include "utc_text.h"

#include <ctime>

namespace csirtgw {

std::string utc_text(std::int64_t seconds, const char* format) {
  const auto when = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  // The callers' formats are checked where they are written (the format attribute in utc_text.h).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  const std::size_t length = std::strftime(text, sizeof text, format, &tm);
#pragma GCC diagnostic pop
  return std::string(text, length);
}

}  // namespace csirtgw
