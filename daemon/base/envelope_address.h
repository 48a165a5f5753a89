// Parsing of SMTP envelope paths (RFC 5321 4.1.2): "<local@domain> PARAM=VALUE ...".
// Untrusted input: anything that could be smuggled somewhere else — CR, LF, NUL,
// quoted local parts, '%' and '!' relay hacks, source routes, over-long parts —
// is refused, so an accepted address is plain, printable ASCII.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "result.h"

namespace csirtgw {

// One accepted recipient and the intake it reached, and a transaction's
// envelope: shared by the intake session, the store and the Report.
struct EnvelopeRecipient {
  std::string address;
  std::string intake;
};

struct Envelope {
  std::string helo;
  std::string sender;  // "" for <>
  std::vector<EnvelopeRecipient> recipients;
};

struct EnvelopePath {
  std::string address;  // "" for the null reverse-path <>
  std::vector<std::pair<std::string, std::string>> parameters;  // keys upper-cased
};

// Parses the argument after "MAIL FROM:" or "RCPT TO:".
Result<EnvelopePath> parse_envelope_path(std::string_view argument, bool allow_null_path);

// Why an addr-spec is not acceptable, or nullopt if it is.
std::optional<std::string> envelope_address_problem(std::string_view address);

bool is_valid_domain(std::string_view domain);

// Lower-cases the whole address, for comparing intake addresses.
std::string lowercase_address(std::string address);

}  // namespace csirtgw
