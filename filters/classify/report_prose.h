// The text keyword rules, priority words and TLP markers read: what the
// reporter wrote in their own words. The subject counts; header lines quoted
// from a forwarded or replied-to message, encoded blocks (base64 lines) and a
// structured report body (a JSON document) do not: their words are field
// names, folder URLs and payload bytes, not the reporter's description.
#pragma once

#include <string>
#include <string_view>

namespace csirtgw {

std::string report_prose(std::string_view subject, std::string_view main_text);

// The main text for indicator extraction: as written, without the lines of a
// quoted header that name message ids or mail folders (Message-ID,
// References, In-Reply-To, FCC), which are no incident's indicators.
std::string indicator_text(std::string_view main_text);

}  // namespace csirtgw
