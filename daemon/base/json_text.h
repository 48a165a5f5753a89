// The one way csirtgw writes JSON (audit details, stored lists, --json output):
// every string and key passes sanitize_untrusted() first, so a value taken from
// a message — an invalid UTF-8 field name, a parser's error text that cut a
// character in half — can neither make the writer throw nor carry a control
// character to a terminal. Never throws.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace csirtgw {

// Compact by default; indent >= 0 pretty-prints (CLI output).
std::string json_text(const nlohmann::json& value, int indent = -1);

// The value with every string and object key sanitised (exposed for tests and
// for callers that add to it before writing).
nlohmann::json sanitized_json(const nlohmann::json& value);

}  // namespace csirtgw
