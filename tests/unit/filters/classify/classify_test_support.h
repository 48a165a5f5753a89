// What the classify tests share: the embedded default policy and reporting
// form, loaded once, and CRLF line ends for a message written with LF.
#pragma once

#include <string>

#include <doctest/doctest.h>

#include "embedded_schemas.h"
#include "form_schema.h"
#include "policy.h"

namespace csirtgw::test_support {

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

// LF becomes CRLF.
inline std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace csirtgw::test_support
