// The embedded default policy and reporting form, loaded once for the filter
// tests (classify, route, constituency), and test messages' line ends.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "embedded_schemas.h"
#include "form_schema.h"
#include "policy.h"

namespace csirtgw::testing {

inline const Policy& default_policy() {
  static const Policy p = [] {
    LoadedPolicy loaded = parse_policy(default_policy_text(), rsit_taxonomy_text());
    REQUIRE(loaded.errors.empty());
    return loaded.policy;
  }();
  return p;
}

inline const FormSchema& default_form() {
  static const FormSchema f = [] {
    auto loaded = parse_form_schema(default_form_schema_text());
    REQUIRE_MESSAGE(loaded.ok(), loaded.error().message);
    return loaded.value();
  }();
  return f;
}

// LF in `text` becomes CRLF, as messages arrive.
inline std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace csirtgw::testing
