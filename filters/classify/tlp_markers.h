// TLP labels as people write them in a subject, a body or a report field:
// "TLP:RED", "[TLP:RED]", "TLP - RED", "TLP red", "TLP: AMBER+STRICT",
// "tlp:clear", "TLP AMBER STRICT". TLP 1.0's WHITE is 2.0's CLEAR.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csirtgw {

// The TLP 2.0 label a field value names ("RED", "tlp:amber", "TLP: WHITE"),
// upper case; nullopt when the value is not one label.
std::optional<std::string> tlp_label_of(std::string_view value);

// Every label marked in free text, in order: the word "TLP" (case-insensitive,
// not inside another word), then at most eight separators (blanks, ':', '-',
// '=', '/', '_'), then a label word that ends there ("TLP: REDACTED" is no
// marker).
std::vector<std::string> tlp_markers_in(std::string_view text);

}  // namespace csirtgw
