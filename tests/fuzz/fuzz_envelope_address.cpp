// parse_envelope_path (daemon/base/envelope_address.h) over arbitrary MAIL FROM /
// RCPT TO arguments.
//
// Input: byte 0 = options (bit 0: allow the null path <>), the rest = the
// argument.
//
// Checked: an accepted address is plain printable ASCII (no CR, LF, NUL, space,
// quote, '%', '!', source route), passes envelope_address_problem, and has a
// valid domain; <> only when allowed; parameter keys are upper case.
#include <string>
#include <string_view>

#include "envelope_address.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  std::string_view argument = fuzz::as_text(data, size);
  const bool allow_null = fuzz::take_byte(argument) & 1;

  auto path = parse_envelope_path(argument, allow_null);
  (void)envelope_address_problem(argument);
  (void)is_valid_domain(argument);
  (void)lowercase_address(std::string(argument));
  if (!path) {
    FUZZ_CHECK(path.error().kind == ErrorClass::bad_input, "refused with a non-bad_input error");
    return 0;
  }
  const std::string& address = path->address;
  if (address.empty()) {
    FUZZ_CHECK(allow_null, "null path accepted where not allowed");
  } else {
    for (char c : address) {
      const auto u = static_cast<unsigned char>(c);
      FUZZ_CHECK(u > 0x20 && u < 0x7f, "accepted address has a control, space or non-ASCII byte");
      FUZZ_CHECK(c != '"' && c != '%' && c != '!' && c != '<' && c != '>', "accepted address has a relay/quote character");
    }
    FUZZ_CHECK(address.front() != '@', "accepted a source route");
    FUZZ_CHECK(!envelope_address_problem(address).has_value(), "accepted address fails envelope_address_problem");
    const auto at = address.rfind('@');
    FUZZ_CHECK(at != std::string::npos && is_valid_domain(address.substr(at + 1)), "accepted address without a valid domain");
  }
  for (const auto& [key, value] : path->parameters) {
    for (char c : key) FUZZ_CHECK(!(c >= 'a' && c <= 'z'), "parameter key not upper-cased");
    for (char c : key + value) FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0', "CR/LF/NUL in a parameter");
  }
  return 0;
}
