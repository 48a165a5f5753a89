// Shared by the fuzz harnesses: a check that aborts (so libFuzzer records the
// input as a crash) and small input helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                                  \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s) at %s:%d\n", #cond, what, __FILE__, __LINE__); \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)

namespace csirtgw::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Takes the first byte off `input` (0 when empty): harness options.
inline std::uint8_t take_byte(std::string_view& input) {
  if (input.empty()) return 0;
  const auto b = static_cast<std::uint8_t>(input.front());
  input.remove_prefix(1);
  return b;
}

}  // namespace csirtgw::fuzz
