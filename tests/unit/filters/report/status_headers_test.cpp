// The X-Csirtgw-* status headers (filters/report/status_headers.cpp): who was
// verified (address and organisation as parameters, quoted or RFC 2231-encoded),
// the issuers other signatures claim, never a forged-looking value, and the
// protected fields -- all one ASCII line each.
#include <doctest/doctest.h>

#include <string>

#include "status_headers.h"

namespace csirtgw {
namespace {

bool ascii_lines(const std::string& text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c != '\n' && (u < 0x20 || u >= 0x7f)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("render_status_headers: trust signals") {
  Report report;
  CryptoStatus& crypto = report.crypto;
  SUBCASE("verified: address and organisation") {
    crypto.signature = "good";
    crypto.signer = "0123456789abcdef0123456789abcdef01234567";
    crypto.sender_verified = true;
    crypto.verified_address = "eve@attacker.example";
    crypto.verified_org = "Evil \"Corp\"; Ltd";
    const std::string head = render_status_headers(report);
    CHECK(head.find("X-Csirtgw-Signer: 0123456789ABCDEF0123456789ABCDEF01234567\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Sender-Verified: yes; address=eve@attacker.example; org=\"Evil \\\"Corp\\\"; Ltd\"\n") !=
          std::string::npos);
  }
  SUBCASE("an organisation that is not ASCII, or holds a line end") {
    crypto.sender_verified = true;
    crypto.verified_address = "a@x.example";
    crypto.verified_org = "Universit\xc3\xa4t\r\nX-Csirtgw-Signer: forged";
    const std::string head = render_status_headers(report);
    CHECK(head.find("; org*=utf-8''Universit%C3%A4t%5Cx0d%5Cx0aX-Csirtgw-Signer%3A%20forged\n") != std::string::npos);
    CHECK(ascii_lines(head));
    CHECK(head.find("\nX-Csirtgw-Signer:") == std::string::npos);
  }
  SUBCASE("not verified: the claimed issuers, no signer for them") {
    crypto.signature = "bad";
    crypto.claimed_issuers = {{"aabbccddeeff0011", "bad"}, {"\n<x>", "bad"}, {"1122334455667788", "unknown-key"}};
    crypto.verification_reason = "not every signature is good";
    const std::string head = render_status_headers(report);
    CHECK(head.find("X-Csirtgw-Signature: bad; claimed-issuer=AABBCCDDEEFF0011 (bad); "
                    "claimed-issuer=1122334455667788 (unknown-key)\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Signer:") == std::string::npos);
    CHECK(head.find("X-Csirtgw-Sender-Verified: no\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Verification-Reason: not every signature is good\n") != std::string::npos);
  }
  SUBCASE("protected fields and the outer ones that differ") {
    crypto.header_mismatch = {"Subject", "Date"};
    crypto.protected_headers = {{"Subject", "\xe2\x9c\x93 the real subject"}, {"From", "Rep <rep@x.example>"}};
    crypto.protected_authenticated = true;
    const std::string head = render_status_headers(report);
    CHECK(head.find("X-Csirtgw-Header-Mismatch: Subject, Date\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Protected-Headers: authenticated\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Protected-Subject: =?UTF-8?B?4pyTIHRoZSByZWFsIHN1YmplY3Q=?=\n") != std::string::npos);
    CHECK(head.find("X-Csirtgw-Protected-From: Rep <rep@x.example>\n") != std::string::npos);
    CHECK(ascii_lines(head));
  }
}

}  // namespace csirtgw
