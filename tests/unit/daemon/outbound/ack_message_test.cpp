// The acknowledgement's text and headers (daemon/outbound/ack_message.cpp,
// daemon/outbound/ack_template.cpp): nothing from outside can add a header line, the
// structure is RFC 3156 PGP/MIME, and templates cannot name report content.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ack_message.h"
#include "ack_template.h"

namespace csirtgw {
namespace {

bool has_bare_line_break(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return true;
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
    if (text[i] == '\0') return true;
  }
  return false;
}

// Header field names of a message (up to the blank line), continuation lines skipped.
std::vector<std::string> header_names(const std::string& message) {
  std::vector<std::string> names;
  std::size_t at = 0;
  while (at < message.size()) {
    const auto end = message.find("\r\n", at);
    if (end == at) break;
    const std::string line = message.substr(at, end - at);
    if (line[0] != ' ' && line[0] != '\t') names.push_back(line.substr(0, line.find(':')));
    at = end + 2;
  }
  return names;
}

}  // namespace

TEST_CASE("header_text: no control character survives; non-ASCII becomes encoded-words") {
  using namespace std::string_literals;
  struct Row {
    std::string name, value, expected;
  };
  const std::vector<Row> rows = {
      {"plain", "Example CERT", "Example CERT"},
      {"CR LF injection", "x\r\nBcc: victim@evil.example", "x  Bcc: victim@evil.example"},
      {"NUL and DEL", "a\0b\x7f"s, "a b "},
      {"text that reads like an encoded-word is encoded", "=?UTF-8?B?eA==?=", "=?UTF-8?B?PT9VVEYtOD9CP2VBPT0/PQ==?="},
      {"UTF-8", "CERT Österreich", "=?UTF-8?B?Q0VSVCDDlnN0ZXJyZWljaA==?="},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const std::string out = header_text(row.value);
      CHECK(out == row.expected);
      CHECK(out.find('\n') == std::string::npos);
    }
  }
  SUBCASE("long UTF-8 text is folded between whole characters") {
    const std::string out = header_text(std::string(40, 'a') + std::string(30, '\xc3') + "");
    CHECK(out.find("\r\n ") != std::string::npos);
    CHECK(!has_bare_line_break(out));
  }
}

TEST_CASE("clean_message_id takes only one strict <left@right>") {
  struct Row {
    std::string value;
    bool ok;
  };
  const std::vector<Row> rows = {
      {"<abc@example.org>", true},        {"  <abc@example.org>\r\n", true},  {"<abc@example.org> <d@e>", false},
      {"abc@example.org", false},          {"<abc>", false},                   {"<a\rb@x>", false},
      {"<a b@x>", false},                  {"<a\"b@x>", false},                {"<" + std::string(260, 'a') + "@x>", false},
      {"", false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.value);
    CHECK(clean_message_id(row.value).has_value() == row.ok);
  }
}

TEST_CASE("ack_message: fixed header set, CRLF only, no header from attacker text") {
  const std::string part = text_part("Ticket XYZ-CERT #7\n");
  const std::string entity = signed_entity(part, "-----BEGIN PGP SIGNATURE-----\n...\n", "pgp-sha512", "=_b_s");
  const AckHeaders headers{"Example \"CERT\"",
                           "cert@csirt.example",
                           "reporter@example.org\r\nBcc: x@evil.example",
                           "[XYZ-CERT #7] Your report\r\nBcc: victim@evil.example",
                           "<ack.1@host>",
                           "<r@example.org>",
                           "Mon, 01 Jan 2026 00:00:00 +0000",
                           "",
                           true};
  const std::string message = ack_message(headers, entity);
  CHECK(!has_bare_line_break(message));
  const std::vector<std::string> expected = {"From",        "To",         "Subject",        "Date",
                                             "Message-ID",  "In-Reply-To", "References",    "Auto-Submitted",
                                             "MIME-Version", "Content-Type"};
  CHECK(header_names(message) == expected);
  CHECK(message.find("From: \"Example \\\"CERT\\\"\" <cert@csirt.example>\r\n") == 0);
  CHECK(message.find("Auto-Submitted: auto-replied\r\n") != std::string::npos);
  CHECK(message.find("micalg=pgp-sha512; protocol=\"application/pgp-signature\"") != std::string::npos);
  // RFC 3156 5: the signed part appears byte for byte between its boundaries.
  CHECK(message.find("--=_b_s\r\n" + part + "\r\n--=_b_s\r\n") != std::string::npos);
}

TEST_CASE("text_part is 7-bit quoted-printable with CRLF line ends") {
  const std::string part = text_part("Grüße\nFrom the team\n.\n" + std::string(100, 'x') + "\n");
  for (unsigned char c : part) CHECK(c < 0x80);
  CHECK(!has_bare_line_break(part));
  CHECK(part.find("Content-Transfer-Encoding: quoted-printable\r\n") != std::string::npos);
  CHECK(part.find("Gr=C3=BC=C3=9Fe") != std::string::npos);
}

TEST_CASE("encrypted_entity: RFC 3156 6 structure") {
  const std::string entity = encrypted_entity("-----BEGIN PGP MESSAGE-----\n...\n", "=_b_e");
  CHECK(entity.find("multipart/encrypted; boundary=\"=_b_e\";\r\n\tprotocol=\"application/pgp-encrypted\"") !=
        std::string::npos);
  CHECK(entity.find("Content-Type: application/pgp-encrypted\r\n") < entity.find("application/octet-stream"));
  CHECK(entity.find("Version: 1\r\n") != std::string::npos);
  CHECK(entity.find("--=_b_e--\r\n") != std::string::npos);
  CHECK(!has_bare_line_break(entity));
}

TEST_CASE("ack templates") {
  SUBCASE("the embedded default parses and renders with the tag first") {
    auto parsed = load_ack_template("");
    REQUIRE(parsed);
    const auto rendered = render_ack(parsed.value(), {"XYZ-CERT #42", "Example CERT", "cert@csirt.example",
                                                      "Some response within one day.", "Mon-Fri"});
    CHECK(rendered.subject == "[XYZ-CERT #42] Your report has been received");
    CHECK(rendered.body.find("XYZ-CERT #42") != std::string::npos);
    CHECK(rendered.body.find("Some response within one day.") != std::string::npos);
    CHECK(rendered.body.find('{') == std::string::npos);
  }
  struct Row {
    std::string name, text, error;  // error "" = valid
  };
  const std::vector<Row> rows = {
      {"comments, subject, body", "# c\nSubject: Hi {team}\n\nBody {ticket}\n", ""},
      {"a placeholder for report content", "Subject: Re: {subject}\n\nBody\n", "unknown placeholder {subject}"},
      {"unclosed brace", "Subject: x\n\nBody {ticket\n", "unclosed '{'"},
      {"no subject line", "Body only\n", "the first line must be"},
      {"no blank line after the subject", "Subject: x\nBody\n", "a blank line must follow"},
      {"empty body", "Subject: x\n\n \n", "the body is empty"},
      {"control characters", std::string("Subject: x\n\nA\rB\n"), "not UTF-8 text"},
      {"not UTF-8", "Subject: x\n\n\xff\xfe\n", "not UTF-8 text"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto parsed = parse_ack_template(row.text);
      if (row.error.empty()) {
        CHECK(parsed.ok());
      } else {
        REQUIRE(!parsed.ok());
        CHECK(parsed.error().message.find(row.error) != std::string::npos);
      }
    }
  }
}

}  // namespace csirtgw

namespace csirtgw {

// Staff correspondence (issue 17): References names the thread, one
// Message-ID per folded line, and a message a person wrote has no Auto-Submitted.
TEST_CASE("ack_message: References of a thread, and no Auto-Submitted for staff mail") {
  AckHeaders h;
  h.from_name = "Example CERT";
  h.from_address = "cert@csirt.example";
  h.to_address = "reporter@example.org";
  h.subject = "[XYZ-CERT #7] Re: your incident report";
  h.message_id = "<corr.1@host>";
  h.in_reply_to = "<r3@example.org>";
  h.references = "<r1@example.org> <r2@example.org>\r\nBcc: x@evil.example <r3@example.org>";
  h.date = "Mon, 01 Jan 2026 00:00:00 +0000";
  h.auto_submitted = false;
  const std::string message = ack_message(h, "Content-Type: text/plain\r\n\r\nx\r\n");
  CHECK(message.find("In-Reply-To: <r3@example.org>\r\n") != std::string::npos);
  // The CR LF smuggled into the value became spaces: no header line of its own.
  CHECK(message.find("\r\nBcc:") == std::string::npos);
  CHECK(message.find("References: <r1@example.org>\r\n <r2@example.org>\r\n Bcc:\r\n x@evil.example\r\n"
                     " <r3@example.org>\r\n") != std::string::npos);
  CHECK(message.find("Auto-Submitted") == std::string::npos);
  h.auto_submitted = true;
  h.references.clear();
  const std::string ack = ack_message(h, "Content-Type: text/plain\r\n\r\nx\r\n");
  CHECK(ack.find("References: <r3@example.org>\r\n") != std::string::npos);
  CHECK(ack.find("Auto-Submitted: auto-replied\r\n") != std::string::npos);
}

}  // namespace csirtgw
