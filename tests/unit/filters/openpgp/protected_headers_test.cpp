// Protected header fields (filters/openpgp/protected_headers.cpp): compared
// with the outer ones by meaning (addresses, moments, decoded subjects), and
// the decrypted message merged into one header block that never holds two of
// a field a mail client shows once.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "message_header.h"
#include "protected_headers.h"

namespace csirtgw {
namespace {

std::size_t count(std::string_view headers, const char* name) { return header_values(headers, name).size(); }

}  // namespace

TEST_CASE("compare_protected_headers") {
  const std::string outer =
      "From: Rep <rep@x.example>\r\nTo: a@csirt.example, b@csirt.example\r\nSubject: incident\r\n"
      "Date: Fri, 04 Dec 2026 19:00:00 +0000\r\nMessage-ID: <1@x.example>\r\n";
  struct Row {
    const char* name;
    std::string inner;
    bool encrypted;
    std::vector<std::string> mismatch;
  };
  const std::vector<Row> rows = {
      {"the same, written otherwise",
       "From: \"Reporter\" <REP@x.example>\r\nTo: b@csirt.example,\r\n a@csirt.example\r\n"
       "Subject: =?utf-8?q?incident?=\r\nDate: Fri, 4 Dec 2026 20:00:00 +0100 (CET)\r\nMessage-ID: <1@x.example>\r\n",
       false, {}},
      {"another Subject", "Subject: the real one\r\n", false, {"Subject"}},
      {"another From and Date", "From: <other@x.example>\r\nDate: Fri, 04 Dec 2026 18:00:00 +0000\r\n", false,
       {"From", "Date"}},
      {"a field the outer block lacks", "Cc: c@x.example\r\n", false, {"Cc"}},
      {"another Message-ID", "Message-ID: <2@x.example>\r\n", false, {"Message-ID"}},
      {"no fields but Content-*", "Content-Type: text/plain\r\n", false, {}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const ProtectedHeaders found = compare_protected_headers(outer, row.inner + "Content-Type: text/plain\r\n", row.encrypted);
    CHECK(found.mismatch == row.mismatch);
  }
  SUBCASE("an encrypted message's obscured outer Subject is no difference") {
    const std::string obscured = "Subject: [...]\r\n";
    CHECK(compare_protected_headers(obscured, "Subject: real\r\n", true).mismatch.empty());
    CHECK(compare_protected_headers("Subject: ...\r\n", "Subject: real\r\n", true).mismatch.empty());
    CHECK(compare_protected_headers(obscured, "Subject: real\r\n", false).mismatch == std::vector<std::string>{"Subject"});
  }
  SUBCASE("values are decoded and sanitised for display") {
    const ProtectedHeaders found =
        compare_protected_headers(outer, "Subject: =?utf-8?b?4pyTIGRvbmU=?= \x1b]0;x\x07\r\nFrom: Rep <rep@x.example>\r\n", false);
    REQUIRE(found.fields.size() == 2);
    CHECK(found.fields[0].name == "From");  // in the order csirtgw shows them
    CHECK(found.fields[1].name == "Subject");
    CHECK(found.fields[1].value == "\xe2\x9c\x93 done \\x1b]0;x\\x07");
  }
}

TEST_CASE("merge_decrypted_message: one header block, one of each field") {
  const std::string outer =
      "Received: from a by b\r\nReceived: from c by d\r\nFrom: Rep <rep@x.example>\r\nFrom: <second@x.example>\r\n"
      "To: csirt@team.example\r\nSubject: ...\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"B\"\r\n"
      "Content-Description: OpenPGP/MIME\r\n";
  const std::string entity =
      "Content-Type: text/plain; charset=utf-8; protected-headers=\"v1\"\r\nContent-Transfer-Encoding: 8bit\r\n"
      "MIME-Version: 1.0\r\nFrom: Rep <rep@x.example>\r\nSubject: the real subject\r\nMessage-ID: <1@x.example>\r\n"
      "X-Mailer: mutt\r\nAutocrypt-Gossip: addr=a@x.example; keydata=AA\r\nAutocrypt-Gossip: addr=b@x.example; keydata=BB\r\n"
      "\r\nSecret incident details\r\n";
  const std::string merged = merge_decrypted_message(outer, entity);
  const std::string_view head = header_section(merged);
  for (const char* once : {"From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
                           "Content-Transfer-Encoding"}) {
    CAPTURE(once);
    CHECK(count(head, once) == 1);
  }
  CHECK(header_value(head, "From") == "Rep <rep@x.example>");  // the first outer one
  CHECK(header_value(head, "Subject") == "...");                // outer: the inner is X-Csirtgw-Protected-Subject
  CHECK(header_value(head, "Message-ID") == "<1@x.example>");   // the outer block had none
  CHECK(header_value(head, "Content-Type")->rfind("text/plain", 0) == 0);
  CHECK(count(head, "Content-Description") == 0);               // the outer Content-* are the ciphertext's
  CHECK(count(head, "Received") == 2);                          // fields that may repeat, repeat
  CHECK(count(head, "X-Mailer") == 1);
  CHECK(count(head, "Autocrypt-Gossip") == 2);
  CHECK(merged.substr(head.size()) == "\r\nSecret incident details\r\n");

  SUBCASE("decrypted text without a header block is all body") {
    const std::string plain = merge_decrypted_message("From: a@x.example\r\nContent-Type: text/html\r\n", "Hello\r\nworld\r\n");
    CHECK(plain == "From: a@x.example\r\n\r\nHello\r\nworld\r\n");
  }
}

}  // namespace csirtgw
