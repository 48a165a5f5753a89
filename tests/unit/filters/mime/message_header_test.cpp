// Header-block reading (filters/mime/message_header.cpp): unfolded values, removal of
// forged X-Csirtgw-* status fields in any letter case, and CRLF → LF.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "message_header.h"

namespace csirtgw {

TEST_CASE("header_section") {
  struct Row {
    std::string name;
    std::string message;
    std::string headers;
  };
  const std::vector<Row> rows = {
      {"CRLF", "A: 1\r\nB: 2\r\n\r\nbody\r\n", "A: 1\r\nB: 2\r\n"},
      {"LF", "A: 1\nB: 2\n\nbody\n", "A: 1\nB: 2\n"},
      {"no body", "A: 1\r\n", "A: 1\r\n"},
      {"no final newline", "A: 1", "A: 1"},
      {"empty first line", "\r\nbody\r\n", ""},
      {"empty message", "", ""},
      {"folded field", "A: 1\r\n 2\r\n\r\nX: in body\r\n", "A: 1\r\n 2\r\n"},
      {"a line of spaces is not the end", "A: 1\r\n \r\nB: 2\r\n\r\nb", "A: 1\r\n \r\nB: 2\r\n"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) { CHECK(header_section(row.message) == row.headers); }
  }
}

TEST_CASE("header_value") {
  const std::string headers =
      "Received: from a\r\n\tby b\r\n"
      "Message-ID:   <id-1@example.org>  \r\n"
      "Subject: first\r\n line two\r\n\tline three\r\n"
      "subject: second\r\n"
      "X-Empty:\r\n"
      "X-Spaces:    \r\n"
      "X-Tab:\tvalue\r\n"
      "Resent-From: r@example.org\r\n"
      "From : spaced@example.org\r\n"
      "no colon here\r\n"
      "To: unix@example.org\n"
      "\r\n"
      "X-In-Body: no\r\n";
  struct Row {
    std::string name;
    std::optional<std::string> value;
  };
  const std::vector<Row> rows = {
      {"Message-ID", "<id-1@example.org>"},
      {"message-id", "<id-1@example.org>"},
      {"MESSAGE-ID", "<id-1@example.org>"},
      {"Subject", "first line two\tline three"},  // unfolded: CRLF removed, the white space kept
      {"Received", "from a\tby b"},
      {"X-Empty", ""},
      {"X-Spaces", ""},
      {"X-Tab", "value"},
      {"From", std::nullopt},  // "From " with a space before the colon is another name
      {"Resent", std::nullopt},
      {"Resent-From", "r@example.org"},
      {"To", "unix@example.org"},
      {"X-In-Body", std::nullopt},
      {"Message", std::nullopt},
      {"Cc", std::nullopt},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) { CHECK(header_value(headers, row.name) == row.value); }
  }
  SUBCASE("the body is never searched, even when given the whole message") {
    CHECK(header_value("A: 1\r\n\r\nMessage-ID: <body@x>\r\n", "Message-ID") == std::nullopt);
  }
}

TEST_CASE("remove_header_fields: forged X-Csirtgw- status fields") {
  struct Row {
    std::string name;
    std::string message;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"nothing to remove", "From: a\r\nSubject: s\r\n\r\nbody\r\n", "From: a\r\nSubject: s\r\n\r\nbody\r\n"},
      {"one field", "From: a\r\nX-Csirtgw-Status: signed\r\nSubject: s\r\n\r\nbody\r\n",
       "From: a\r\nSubject: s\r\n\r\nbody\r\n"},
      {"any letter case",
       "x-csirtgw-status: a\r\nX-CSIRTGW-SIGNER: b\r\nX-CsIrTgW-Verdict: c\r\nFrom: a\r\n\r\nb\r\n",
       "From: a\r\n\r\nb\r\n"},
      {"folded field, every continuation line goes too",
       "From: a\r\nX-Csirtgw-Status: signed\r\n by=\"cert@csirt.example\"\r\n\tverdict=good\r\nSubject: s\r\n\r\nb\r\n",
       "From: a\r\nSubject: s\r\n\r\nb\r\n"},
      {"first and last field", "X-Csirtgw-A: 1\r\nFrom: a\r\nX-Csirtgw-B: 2\r\n 2b\r\n\r\nb\r\n", "From: a\r\n\r\nb\r\n"},
      {"only forged fields", "X-Csirtgw-A: 1\r\n\r\nb\r\n", "\r\nb\r\n"},
      {"no body", "From: a\r\nX-Csirtgw-A: 1\r\n", "From: a\r\n"},
      {"LF line ends", "From: a\nX-Csirtgw-A: 1\n more\nTo: b\n\nbody\n", "From: a\nTo: b\n\nbody\n"},
      {"space before the colon", "X-Csirtgw-Status : forged\r\nFrom: a\r\n\r\nb\r\n", "From: a\r\n\r\nb\r\n"},
      {"fields in the body stay", "From: a\r\n\r\nX-Csirtgw-Status: quoted in the body\r\n",
       "From: a\r\n\r\nX-Csirtgw-Status: quoted in the body\r\n"},
      {"similar names stay", "X-Csirtgw: a\r\nX-Csirtgwx-A: b\r\nX-Other-X-Csirtgw-A: c\r\n\r\n",
       "X-Csirtgw: a\r\nX-Csirtgwx-A: b\r\nX-Other-X-Csirtgw-A: c\r\n\r\n"},
      {"the value mentioning the prefix stays", "Subject: X-Csirtgw-Status: x\r\n\r\n",
       "Subject: X-Csirtgw-Status: x\r\n\r\n"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const std::string out = remove_header_fields(row.message, "X-Csirtgw-");
      CHECK(out == row.expected);
      // Idempotent, and nothing named X-Csirtgw- is left in the headers.
      CHECK(remove_header_fields(out, "X-Csirtgw-") == out);
      CHECK(header_value(header_section(out), "X-Csirtgw-Status") == std::nullopt);
      // has_header_fields says whether anything goes (the strip stage copies only then).
      CHECK(has_header_fields(row.message, "X-Csirtgw-") == (out != row.message));
      CHECK_FALSE(has_header_fields(out, "X-Csirtgw-"));
    }
  }
}

TEST_CASE("to_unix_line_ends") {
  struct Row {
    std::string in;
    std::string out;
  };
  const std::vector<Row> rows = {
      {"", ""},
      {"a\r\nb\r\n", "a\nb\n"},
      {"a\nb", "a\nb"},
      {"\r\n\r\n", "\n\n"},
      {"lone\rcr", "lone\rcr"},
      {"cr at end\r", "cr at end\r"},
      {"\r\r\n", "\r\n"},
      {"\n\r", "\n\r"},
      {std::string("nul\0\r\n", 6), std::string("nul\0\n", 5)},
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    CHECK(to_unix_line_ends(row.in) == row.out);
  }
}

}  // namespace csirtgw

TEST_CASE("decode_encoded_words: RFC 2047 B and Q words") {
  struct Row {
    const char* name;
    std::string input;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"plain text unchanged", "Re: [XYZ-CERT #1] hello", "Re: [XYZ-CERT #1] hello"},
      {"Q word with underscore and hex", "=?UTF-8?Q?AW:_[XYZ-CERT_#1]_Phishing?=", "AW: [XYZ-CERT #1] Phishing"},
      {"B word", "=?UTF-8?B?W1hZWi1DRVJUICMxXQ==?=", "[XYZ-CERT #1]"},
      {"space between adjacent words dropped", "=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"},
      {"text around a word kept", "Fwd: =?UTF-8?Q?x?= end", "Fwd: x end"},
      {"encoded CR LF decodes to bytes (never written into a header)", "=?UTF-8?Q?x=0D=0ABcc:_a@evil?=",
       "x\r\nBcc: a@evil"},
      {"unknown encoding left as is", "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="},
      {"unterminated word left as is", "=?UTF-8?Q?abc", "=?UTF-8?Q?abc"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name) { CHECK(csirtgw::decode_encoded_words(row.input) == row.expected); }
  }
}

namespace csirtgw {

TEST_CASE("parse_rfc5322_date: the moment a Date field names") {
  const std::time_t moment = 1796410800;  // 2026-12-04T19:00:00Z
  struct Row {
    const char* text;
    std::optional<std::time_t> expected;
  };
  const Row rows[] = {
      {"Fri, 04 Dec 2026 19:00:00 +0000", moment},
      {"4 Dec 2026 20:00:00 +0100", moment},
      {"Fri, 4 Dec 2026 14:00 -0500 (EST)", moment},
      {"Fri, 04 Dec 26 19:00:00 GMT", moment},
      {"Fri, 04 Dec 2026 11:00:00 PST", moment},
      {"Fri, 04 Dec 2026 19:00:00 Z", moment},
      {"Fri, 04 Dec 2026 19:00:00", moment},  // no zone: read as UTC
      {"(comment) Fri,\r\n 04 Dec 2026 19:00:00 +0000", moment},
      {"yesterday", std::nullopt},
      {"Fri, 32 Dec 2026 19:00:00 +0000", std::nullopt},
      {"Fri, 04 Foo 2026 19:00:00 +0000", std::nullopt},
      {"Fri, 04 Dec 2026 25:00:00 +0000", std::nullopt},
      {"Fri, 04 Dec 2026 19:00:00 +00", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(parse_rfc5322_date(row.text) == row.expected);
  }
  CHECK(parse_rfc5322_date(rfc5322_date(moment)) == moment);
}

TEST_CASE("header_fields: every field with its name and its exact text") {
  const auto fields = header_fields("A: 1\r\nB: 2\r\n folded\r\nno colon\r\n\r\nC: body\r\n");
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].name == "A");
  CHECK(fields[1].text == "B: 2\r\n folded\r\n");
  CHECK(fields[2].name.empty());
}

}  // namespace csirtgw
