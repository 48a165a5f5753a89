// Envelope path parsing (daemon/base/envelope_address.cpp): which paths are accepted,
// why the others are refused, and how ESMTP parameters are split.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "envelope_address.h"

namespace csirtgw {
namespace {

using namespace std::string_literals;
using Parameters = std::vector<std::pair<std::string, std::string>>;

// A valid-looking domain of exactly `length` characters: 50-character labels.
std::string domain_of_length(std::size_t length) {
  std::string domain(length, 'd');
  for (std::size_t i = 50; i + 1 < length; i += 51) domain[i] = '.';
  return domain;
}

}  // namespace

TEST_CASE("envelope path: accepted paths") {
  struct Row {
    std::string argument;
    bool allow_null;
    std::string address;
    Parameters parameters;
  };
  const std::string local64(64, 'l');
  const std::vector<Row> rows = {
      {"<a@example.org>", false, "a@example.org", {}},
      {" <a@example.org>", false, "a@example.org", {}},    // space after the colon
      {"   <a@example.org>  ", false, "a@example.org", {}},  // trailing spaces
      {"<>", true, "", {}},
      {"<> SIZE=100", true, "", {{"SIZE", "100"}}},
      {"<first.last+tag@sub.example.org>", false, "first.last+tag@sub.example.org", {}},
      {"<#$&'*+-/=?^_`{|}~@x.example>", false, "#$&'*+-/=?^_`{|}~@x.example", {}},
      {"<A@EXAMPLE.ORG>", false, "A@EXAMPLE.ORG", {}},  // case kept; comparison lowercases
      {"<a@x-y.example>", false, "a@x-y.example", {}},
      {"<a@localhost>", false, "a@localhost", {}},
      {"<" + local64 + "@example.org>", false, local64 + "@example.org", {}},
      {"<a@example.org> size=10 Body=8bitmime", false, "a@example.org", {{"SIZE", "10"}, {"BODY", "8bitmime"}}},
      {"<a@example.org>  RET=HDRS   ENVID=x=y", false, "a@example.org", {{"RET", "HDRS"}, {"ENVID", "x=y"}}},
      {"<a@example.org> SMTPUTF8", false, "a@example.org", {{"SMTPUTF8", ""}}},
      {"<a@example.org> =v", false, "a@example.org", {{"", "v"}}},
      {"<a@example.org> A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8", false, "a@example.org",
       {{"A", "1"}, {"B", "2"}, {"C", "3"}, {"D", "4"}, {"E", "5"}, {"F", "6"}, {"G", "7"}, {"H", "8"}}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.argument.c_str()) {
      auto path = parse_envelope_path(row.argument, row.allow_null);
      REQUIRE_MESSAGE(path.ok(), path.error().message);
      CHECK(path->address == row.address);
      CHECK(path->parameters == row.parameters);
    }
  }
}

TEST_CASE("envelope path: refused paths") {
  struct Row {
    std::string name;
    std::string argument;
    bool allow_null;
    std::string error;
  };
  const std::string local65(65, 'l');
  const std::string local64(64, 'l');
  const std::vector<Row> rows = {
      {"empty", "", true, "address must be enclosed in <>"},
      {"no angle brackets", "a@example.org", false, "address must be enclosed in <>"},
      {"no closing bracket", "<a@example.org", false, "missing '>'"},
      {"null path where not allowed", "<>", false, "empty address"},
      {"garbage after the path", "<a@example.org>SIZE=1", false, "garbage after address"},
      {"tab after the path", "<a@example.org>\tSIZE=1", false, "garbage after address"},
      {"no domain", "<postmaster>", false, "address has no domain"},
      {"empty local part (looks like a route)", "<@example.org>", false, "source routes are not accepted"},
      {"source route", "<@a.example,@b.example:u@d.example>", false, "source routes are not accepted"},
      {"empty domain", "<a@>", false, "not a valid domain"},
      {"quoted local part", "<\"a\"@example.org>", false, "quoted local parts are not accepted"},
      {"quoted local part with space", "<\"a b\"@example.org>", false,
       "control, space or non-ASCII character in address"},
      {"quote inside local part", "<a\"b@example.org>", false, "character '\"' not accepted in local part"},
      {"percent hack", "<u%elsewhere.example@example.org>", false, "character '%' not accepted in local part"},
      {"bang path", "<elsewhere!u@example.org>", false, "character '!' not accepted in local part"},
      {"two @", "<a@b@example.org>", false, "character '@' not accepted in local part"},
      {"CR", "<a\r@example.org>", false, "control, space or non-ASCII character in address"},
      {"LF", "<a\n@example.org>", false, "control, space or non-ASCII character in address"},
      {"NUL", "<a\0@example.org>"s, false, "control, space or non-ASCII character in address"},
      {"DEL", "<a\x7f@example.org>", false, "control, space or non-ASCII character in address"},
      {"8-bit", "<\xc3\xa4@example.org>", false, "control, space or non-ASCII character in address"},
      {"leading dot", "<.a@example.org>", false, "misplaced dot in local part"},
      {"trailing dot", "<a.@example.org>", false, "misplaced dot in local part"},
      {"double dot", "<a..b@example.org>", false, "misplaced dot in local part"},
      {"local part of 65", "<" + local65 + "@example.org>", false, "local part longer than 64 characters"},
      {"domain literal", "<a@[192.0.2.1]>", false, "not a valid domain"},
      {"domain with trailing dot", "<a@example.org.>", false, "not a valid domain"},
      {"domain with underscore", "<a@ex_ample.org>", false, "not a valid domain"},
      {"label starting with -", "<a@-x.example>", false, "not a valid domain"},
      {"label ending with -", "<a@x-.example>", false, "not a valid domain"},
      {"label of 64", "<a@" + std::string(64, 'd') + ".example>", false, "not a valid domain"},
      {"path of 257", "<" + local64 + "@" + domain_of_length(190) + ">", false, "path longer than 256 characters"},
      {"domain of 256", "<a@" + domain_of_length(256) + ">", false, "path longer than 256 characters"},
      {"control character in a parameter", "<a@example.org> SIZE=1\x01", false, "control character in parameter"},
      {"nine parameters", "<a@example.org> A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9", false, "too many parameters"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto path = parse_envelope_path(row.argument, row.allow_null);
      REQUIRE_FALSE(path.ok());
      CHECK(path.error().kind == ErrorClass::bad_input);
      CHECK(path.error().message == row.error);
    }
  }
}

TEST_CASE("envelope path: the path length limit is exactly 256 octets") {
  // "<" + 254-character address + ">" = 256: accepted.
  const std::string address_254 = std::string(64, 'l') + "@" + domain_of_length(189);
  REQUIRE(address_254.size() == 254);
  auto ok = parse_envelope_path("<" + address_254 + ">", false);
  REQUIRE_MESSAGE(ok.ok(), ok.error().message);
  CHECK(ok->address == address_254);
  auto too_long = parse_envelope_path("<l" + address_254 + ">", false);
  CHECK_FALSE(too_long.ok());
}

TEST_CASE("envelope address problems and domains") {
  struct Row {
    std::string address;
    bool ok;
  };
  const std::vector<Row> addresses = {
      {"cert@csirt.example", true},   {"CERT@CSIRT.EXAMPLE", true}, {"", false},
      {"a b@example.org", false},     {"a@b", true},                {"a@1.2.3.4", true},
      {"a@exa mple.org", false},      {std::string(64, 'l') + "@" + domain_of_length(189), true},
      {std::string(64, 'l') + "@" + domain_of_length(190), false},
  };
  for (const auto& row : addresses) {
    CAPTURE(row.address);
    CHECK(envelope_address_problem(row.address).has_value() == !row.ok);
  }

  struct Domain {
    std::string domain;
    bool valid;
  };
  const std::vector<Domain> domains = {
      {"example.org", true},   {"a", true},        {"xn--bcher-kva.example", true},
      {"", false},             {".", false},       {"a..b", false},
      {".a", false},           {"a.", false},      {"-a", false},
      {"a-", false},           {"a_b", false},     {std::string(63, 'd'), true},
      {std::string(64, 'd'), false}, {domain_of_length(255), true}, {domain_of_length(256), false},
  };
  for (const auto& row : domains) {
    CAPTURE(row.domain);
    CHECK(is_valid_domain(row.domain) == row.valid);
  }
}

TEST_CASE("lowercase_address") {
  const std::pair<std::string, std::string> rows[] = {
      {"Cert@CSIRT.Example", "cert@csirt.example"}, {"", ""}, {"a+B@x", "a+b@x"}, {"\xc3\x84@x", "\xc3\x84@x"}};
  for (const auto& [in, out] : rows) {
    CAPTURE(in);
    CHECK(lowercase_address(in) == out);
  }
}

}  // namespace csirtgw
