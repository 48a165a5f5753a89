// Decrypted text parts filed readable (filters/mime/readable_text.cpp): 7bit,
// 8bit or quoted-printable by what the bytes allow, never base64, the decoded
// content unchanged.
#include <doctest/doctest.h>

#include <string>

#include "mime_structure.h"
#include "readable_text.h"
#include "transfer_codecs.h"
#include "transfer_decoding.h"

namespace csirtgw {

TEST_CASE("readable text: the encoding each kind of text gets") {
  struct Row {
    std::string decoded, encoding;
  };
  const Row rows[] = {
      {"Scan from 192.0.2.44\n", "7bit"},
      {"Grüße, Scan von 192.0.2.44\r\n", "8bit"},
      {"Latin-1 \xe9t\xe9 192.0.2.44\n", "quoted-printable"},   // not UTF-8
      {std::string(1200, 'a') + " 192.0.2.44\n", "quoted-printable"},  // a line past 998 octets
      {std::string("nul\0byte", 8), "base64"},  // no text: left as binary
      {"bare\rCR\n", "base64"},
      {"\xed\xa0\x80 surrogate\n", "quoted-printable"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.decoded);
    const ReadableText r = readable_text(row.decoded);
    CHECK(r.transfer_encoding == row.encoding);
    const std::string back = decode_transfer_encoding(r.body, r.transfer_encoding);
    std::string expected = row.decoded;
    if (r.transfer_encoding != "base64" &&
        (r.transfer_encoding != "quoted-printable" || back.find("\r\n") != std::string::npos)) {
      // Line ends are CRLF in the entity; the text is otherwise the same.
      std::string crlf;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        if (expected[i] == '\n' && (i == 0 || expected[i - 1] != '\r')) crlf += '\r';
        crlf += expected[i];
      }
      expected = crlf;
    }
    CHECK(back == expected);
    if (row.decoded.find("192.0.2.44") != std::string::npos) CHECK(r.body.find("192.0.2.44") != std::string::npos);
  }
}

TEST_CASE("readable text: base64 text parts of a decrypted entity are rewritten, others kept") {
  const std::string text = "Report: 198.51.100.23 brute-forced ssh\r\n";
  const std::string entity =
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
      encode_base64(text) +
      "\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n"
      "--b--\r\n";
  auto root = scan_mime(entity, MimeLimits{});
  REQUIRE(root.ok());
  auto rewritten = with_readable_text_parts(entity, root.value());
  REQUIRE(rewritten.has_value());
  CHECK(rewritten->find("198.51.100.23") != std::string::npos);
  CHECK(rewritten->find("Content-Transfer-Encoding: 7bit") != std::string::npos);
  CHECK(rewritten->find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
  CHECK(rewritten->find("AAEC") != std::string::npos);  // the binary part stays base64
  auto again = scan_mime(*rewritten, MimeLimits{});
  REQUIRE(again.ok());
  REQUIRE(again->parts.size() == 2);
  CHECK(decode_transfer_encoding(again->parts[0].body(*rewritten), again->parts[0].transfer_encoding) == text);
  CHECK_FALSE(with_readable_text_parts(*rewritten, again.value()).has_value());  // nothing left to change
}

TEST_CASE("readable text: a single base64 text entity") {
  const std::string entity = "Content-Type: text/plain\r\nContent-Transfer-Encoding: BASE64\r\n\r\n" +
                             encode_base64("host 203.0.113.9\n") + "\r\n";
  auto root = scan_mime(entity, MimeLimits{});
  REQUIRE(root.ok());
  auto rewritten = with_readable_text_parts(entity, root.value());
  REQUIRE(rewritten.has_value());
  CHECK(*rewritten == "Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n\r\nhost 203.0.113.9\r\n");
}

}  // namespace csirtgw
