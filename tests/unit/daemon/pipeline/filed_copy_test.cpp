// The head the filing worker writes above a message (daemon/filed_copy.cpp):
// csirtgw's own fields, LF-ended, and no line of the message can continue
// them — a message starting with white space (found by fuzz_whole_chain:
// "\t" alone extended X-Csirtgw-Priority) is set off by an empty line. And the
// filed copy of a decrypted message: never two of a field a mail client shows
// once, the signed part's own fields as X-Csirtgw-Protected-*.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ascii_case.h"
#include "filed_copy.h"
#include "message_header.h"
#include "protected_headers.h"

namespace csirtgw {

TEST_CASE("filed_head: no message line continues csirtgw's last field") {
  struct Row {
    const char* name;
    std::string message;
    bool blank_line_after_head;
  };
  const std::vector<Row> rows = {
      {"ordinary header first", "From: a@example.org\r\nSubject: x\r\n\r\nbody\r\n", false},
      {"tab first (the fuzz find)", "\t", true},
      {"space first, then real fields", " RED\r\nFrom: a@example.org\r\n\r\nbody\r\n", true},
      {"tab-folded forged value", "\tCLEAR\r\nSubject: x\r\n\r\n", true},
      {"empty line first (body only)", "\r\nbody\r\n", false},
      {"empty message", "", false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    Report report;
    report.spool_id = "20261204T190000-000001";
    report.protocol = "lmtp";
    report.sender = "reporter@example.org";
    report.recipients = {{"cert@csirt.example", "cert"}};
    report.classification.priority = 3;
    report.raw_message = row.message;
    const std::string head = filed_head(report, "csirtgw.localhost", 1796410800);
    REQUIRE(head.size() > 2);
    CHECK(head.find("X-Csirtgw-Priority: 3\n") != std::string::npos);
    CHECK((head.substr(head.size() - 2) == "\n\n") == row.blank_line_after_head);
  }
}

TEST_CASE("filed copy of a decrypted PGP/MIME message: one field of each name a mail client shows once") {
  // Outer headers (two From fields among them) over a decrypted entity that
  // carries its own From, Subject, MIME-Version, Content-Type (RFC 9788).
  const std::string outer = "From: Rep <rep@x.example>\r\nFrom: <other@x.example>\r\nTo: cert@csirt.example\r\n"
                            "Subject: ...\r\nDate: Fri, 04 Dec 2026 19:00:00 +0000\r\nMessage-ID: <1@x.example>\r\n"
                            "MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; boundary=B\r\n";
  const std::string entity = "Content-Type: text/plain; charset=us-ascii; protected-headers=\"v1\"\r\n"
                             "MIME-Version: 1.0\r\nFrom: Rep <rep@x.example>\r\nTo: cert@csirt.example\r\n"
                             "Subject: the real subject\r\nDate: Fri, 04 Dec 2026 19:00:00 +0000\r\n"
                             "Message-ID: <1@x.example>\r\nCc: c@x.example\r\n\r\nSecret incident details\r\n";
  Report report;
  report.spool_id = "20261204T190000-000002";
  report.protocol = "smtp";
  report.sender = "rep@x.example";
  report.recipients = {{"cert@csirt.example", "cert"}};
  report.raw_message = outer + "\r\n--B--\r\n";
  report.set_message(merge_decrypted_message(outer, entity));
  const auto compared = compare_protected_headers(outer, header_section(entity), /*encrypted=*/true);
  report.crypto.protected_headers = compared.fields;
  report.crypto.header_mismatch = compared.mismatch;
  report.crypto.protected_authenticated = true;
  const std::string filed = filed_head(report, "csirtgw.localhost", 1796410800) + to_unix_line_ends(report.message());

  // The top header block as a mail client reads the file: field names in order.
  const std::string block = filed.substr(0, filed.find("\n\n"));
  std::vector<std::string> names;
  for (std::size_t pos = 0; pos < block.size();) {
    const std::size_t end = std::min(block.find('\n', pos), block.size());
    const std::string line = block.substr(pos, end - pos);
    if (!line.empty() && line[0] != ' ' && line[0] != '\t') names.push_back(ascii_lower(line.substr(0, line.find(':'))));
    pos = end + 1;
  }
  for (const char* once : {"from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
                           "content-transfer-encoding", "sender", "reply-to"}) {
    CAPTURE(once);
    CHECK(std::count(names.begin(), names.end(), once) <= 1);
  }
  CHECK(std::count(names.begin(), names.end(), "cc") == 1);  // only inside: moved up, not lost
  CHECK(filed.find("Subject: ...\n") != std::string::npos);
  CHECK(filed.find("X-Csirtgw-Protected-Subject: the real subject\n") != std::string::npos);
  // the outer block has two From fields: not the signed one
  CHECK(filed.find("X-Csirtgw-Header-Mismatch: From, Cc\n") != std::string::npos);
  CHECK(filed.find("Content-Type: text/plain; charset=us-ascii; protected-headers=\"v1\"\n") != std::string::npos);
  CHECK(filed.find("multipart/encrypted") == std::string::npos);
  CHECK(filed.substr(filed.find("\n\n")) == "\n\nSecret incident details\n");
}

}  // namespace csirtgw

namespace csirtgw {

// The filed copy carries the ticket's tag in its Subject, once, encoded words
// and folding kept; the rest of the message is untouched.
TEST_CASE("tagged_subject: the ticket's tag in the filed copy's Subject") {
  struct Row {
    const char* name;
    std::string message;
    std::optional<std::string> header;  // nullopt: unchanged
  };
  const std::vector<Row> rows = {
      {"plain", "From: a@example.org\r\nSubject: Incident report\r\n\r\nbody\r\n",
       "From: a@example.org\nSubject: [XYZ-CERT #42] Incident report\n"},
      {"already tagged", "Subject: Re: [XYZ-CERT #42] Incident report\r\n\r\nbody\r\n", std::nullopt},
      {"tagged in an encoded word", "Subject: =?UTF-8?Q?Re=3A_=5BXYZ-CERT_=2342=5D_x?=\r\n\r\nb\r\n", std::nullopt},
      {"another ticket's tag", "Subject: [XYZ-CERT #7] old\r\n\r\nb\r\n", "Subject: [XYZ-CERT #42] [XYZ-CERT #7] old\n"},
      {"encoded word kept", "Subject: =?UTF-8?B?w4RyZ2Vy?=\r\n\r\nb\r\n", "Subject: [XYZ-CERT #42] =?UTF-8?B?w4RyZ2Vy?=\n"},
      {"folded", "Subject: a long\r\n subject\r\nTo: b@example.org\r\n\r\nb\r\n",
       "Subject: [XYZ-CERT #42] a long\n subject\nTo: b@example.org\n"},
      {"empty subject", "Subject:\r\n\r\nb\r\n", "Subject: [XYZ-CERT #42]\n"},
      {"no subject", "From: a@example.org\r\n\r\nb\r\n", "From: a@example.org\nSubject: [XYZ-CERT #42]\n"},
      {"no header section", "\tRED\r\n\r\nb\r\n", std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto tagged = tagged_subject(row.message, "XYZ-CERT #42");
    REQUIRE(tagged.has_value() == row.header.has_value());
    if (!tagged) continue;
    CHECK(tagged->header == *row.header);
    CHECK(std::string_view(row.message).substr(tagged->rest_at).substr(0, 2) == "\r\n");  // the empty line, then the body
  }
  CHECK_FALSE(tagged_subject("Subject: x\r\n\r\n", "").has_value());
}

}  // namespace csirtgw
