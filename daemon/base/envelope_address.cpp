// SMTP envelope path parsing and address checks (envelope_address.h).
#include "envelope_address.h"

#include <algorithm>
#include <cctype>

namespace csirtgw {
namespace {

constexpr std::size_t kMaxLocalPart = 64;    // RFC 5321 4.5.3.1.1
constexpr std::size_t kMaxDomain = 255;      // RFC 5321 4.5.3.1.2
constexpr std::size_t kMaxPath = 256;        // RFC 5321 4.5.3.1.3
constexpr std::size_t kMaxParameters = 8;

// atext (RFC 5322) without '%' and '!', the old relay-routing characters.
bool is_local_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("#$&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

}  // namespace

bool is_valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = domain.find('.', start);
    auto label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::optional<std::string> envelope_address_problem(std::string_view address) {
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return "control, space or non-ASCII character in address";
  }
  if (address.size() > kMaxPath - 2) return "address longer than 254 characters";
  if (!address.empty() && address.front() == '@') return "source routes are not accepted";
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return "address has no domain";
  auto local = address.substr(0, at);
  auto domain = address.substr(at + 1);
  if (local.empty()) return "empty local part";
  if (local.size() > kMaxLocalPart) return "local part longer than 64 characters";
  if (local.front() == '"') return "quoted local parts are not accepted";
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return "misplaced dot in local part";
  for (char c : local)
    if (c != '.' && !is_local_char(c)) return std::string("character '") + c + "' not accepted in local part";
  if (domain.size() > kMaxDomain) return "domain longer than 255 characters";
  if (!is_valid_domain(domain)) return "not a valid domain";
  return std::nullopt;
}

Result<EnvelopePath> parse_envelope_path(std::string_view argument, bool allow_null_path) {
  // Some clients put a space after the colon; RFC 5321 does not, but it is harmless.
  while (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);
  if (argument.empty() || argument.front() != '<') return Error::bad_input("address must be enclosed in <>");
  auto close = argument.find('>');
  if (close == std::string_view::npos) return Error::bad_input("missing '>'");
  if (close + 1 > kMaxPath) return Error::bad_input("path longer than 256 characters");
  EnvelopePath path;
  auto inner = argument.substr(1, close - 1);
  if (inner.empty()) {
    if (!allow_null_path) return Error::bad_input("empty address");
  } else {
    if (auto problem = envelope_address_problem(inner)) return Error::bad_input(*problem);
    path.address = std::string(inner);
  }
  auto rest = argument.substr(close + 1);
  while (!rest.empty()) {
    if (rest.front() != ' ') return Error::bad_input("garbage after address");
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    auto end = rest.find(' ');
    auto word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    for (char c : word)
      if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
        return Error::bad_input("control character in parameter");
    if (path.parameters.size() == kMaxParameters) return Error::bad_input("too many parameters");
    auto eq = word.find('=');
    path.parameters.emplace_back(upper(word.substr(0, eq)),
                                 eq == std::string_view::npos ? std::string{} : std::string(word.substr(eq + 1)));
  }
  return path;
}

std::string lowercase_address(std::string address) {
  std::transform(address.begin(), address.end(), address.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return address;
}

}  // namespace csirtgw
