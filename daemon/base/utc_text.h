// A moment as UTC text in a strftime format ("%Y-%m-%dT%H:%M:%SZ", a Date field ...).
#pragma once

#include <cstdint>
#include <string>

namespace csirtgw {

std::string utc_text(std::int64_t seconds_since_epoch, const char* strftime_format)
    __attribute__((format(strftime, 2, 0)));

}  // namespace csirtgw
