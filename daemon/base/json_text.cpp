// The one JSON writer: never throws on content (json_text.h).
#include "json_text.h"

#include "untrusted_text.h"

namespace csirtgw {

nlohmann::json sanitized_json(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return sanitize_untrusted(value.get_ref<const std::string&>(), kUntrustedTextMax);
    case nlohmann::json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : value) out.push_back(sanitized_json(item));
      return out;
    }
    case nlohmann::json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, item] : value.items()) out[sanitize_untrusted(key, 256)] = sanitized_json(item);
      return out;
    }
    default:
      return value;
  }
}

namespace {

// Printable ASCII within the bound comes out of sanitize_untrusted unchanged.
bool plain(std::string_view text, std::size_t max) {
  if (text.size() > max) return false;
  for (unsigned char c : text)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

// Whether sanitized_json(value) would change anything: most audit details are
// ids and our own words, written without a sanitised copy of the tree.
bool needs_sanitizing(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return !plain(value.get_ref<const std::string&>(), kUntrustedTextMax);
    case nlohmann::json::value_t::array:
      for (const auto& item : value)
        if (needs_sanitizing(item)) return true;
      return false;
    case nlohmann::json::value_t::object:
      for (const auto& [key, item] : value.items())
        if (!plain(key, 256) || needs_sanitizing(item)) return true;
      return false;
    default:
      return false;
  }
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
  try {
    if (!needs_sanitizing(value)) return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
    return sanitized_json(value).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception&) {
    // Unreachable with sanitised strings; an allocation failure is the only
    // way here, and the caller still gets a JSON object.
    return R"({"error":"unwritable JSON"})";
  }
}

}  // namespace csirtgw
