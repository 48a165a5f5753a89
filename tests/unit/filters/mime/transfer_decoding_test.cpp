// Content-Transfer-Encoding decoding (filters/mime/transfer_decoding.cpp): base64 and
// quoted-printable through mimetic's codecs, identity for everything else. The
// OpenPGP stage decodes signature and ciphertext parts with it, so binary output
// must come back byte for byte.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "transfer_decoding.h"

namespace csirtgw {

TEST_CASE("decode_transfer_encoding") {
  using namespace std::string_literals;
  struct Row {
    std::string name;
    std::string encoding;
    std::string body;
    std::string decoded;
  };
  const std::vector<Row> rows = {
      {"base64", "base64", "SGVsbG8sIHdvcmxkIQ==", "Hello, world!"},
      {"base64 over CRLF lines", "base64", "SGVsbG8s\r\nIHdvcmxk\r\nIQ==\r\n", "Hello, world!"},
      {"base64 over LF lines", "base64", "SGVsbG8s\nIHdvcmxkIQ==\n", "Hello, world!"},
      {"base64 binary with NUL and CRLF", "base64", "AP8NCgB/", "\x00\xff\r\n\x00\x7f"s},
      {"base64 one padding", "base64", "YWI=", "ab"},
      {"base64 no padding needed", "base64", "YWJj", "abc"},
      {"base64 empty", "base64", "", ""},
      {"qp escapes", "quoted-printable", "a=3Db =C3=A9t=C3=A9", "a=b \xc3\xa9t\xc3\xa9"},
      {"qp soft line break CRLF", "quoted-printable", "abc=\r\ndef", "abcdef"},
      {"qp soft line break LF", "quoted-printable", "abc=\ndef", "abcdef"},
      {"qp encoded CR LF", "quoted-printable", "a=0D=0Ab", "a\r\nb"},
      {"qp soft break then escape", "quoted-printable", "x=\r\n=3D=3D", "x=="},
      {"qp plain text", "quoted-printable", "nothing to do", "nothing to do"},
      {"qp empty", "quoted-printable", "", ""},
      {"7bit identity", "7bit", "a=3Db SGVsbG8=\r\n", "a=3Db SGVsbG8=\r\n"},
      {"8bit identity", "8bit", "\xc3\xa9=3D\r\n", "\xc3\xa9=3D\r\n"},
      {"binary identity", "binary", "\x00\r\n\xff"s, "\x00\r\n\xff"s},
      {"unknown encoding identity", "x-uuencode", "begin 644 f\r\n", "begin 644 f\r\n"},
      {"empty encoding identity", "", "SGVsbG8=", "SGVsbG8="},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) { CHECK(decode_transfer_encoding(row.body, row.encoding) == row.decoded); }
  }
}

TEST_CASE("decode_transfer_encoding: base64 round trip of every byte value") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  // Standard base64 of bytes 0..255, split into 76-character lines as MIME does.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  for (std::size_t i = 0; i < all.size(); i += 3) {
    const unsigned b0 = static_cast<unsigned char>(all[i]);
    const unsigned b1 = i + 1 < all.size() ? static_cast<unsigned char>(all[i + 1]) : 0;
    const unsigned b2 = i + 2 < all.size() ? static_cast<unsigned char>(all[i + 2]) : 0;
    encoded += alphabet[b0 >> 2];
    encoded += alphabet[((b0 & 3) << 4) | (b1 >> 4)];
    encoded += i + 1 < all.size() ? alphabet[((b1 & 15) << 2) | (b2 >> 6)] : '=';
    encoded += i + 2 < all.size() ? alphabet[b2 & 63] : '=';
  }
  std::string wrapped;
  for (std::size_t i = 0; i < encoded.size(); i += 76) wrapped += encoded.substr(i, 76) + "\r\n";
  CHECK(decode_transfer_encoding(wrapped, "base64") == all);
}

// RFC 2045 6.7 (3): trailing white space on a quoted-printable line was added in
// transport and is deleted when decoding. (Line ends compared as LF here; see below.)
TEST_CASE("decode_transfer_encoding: qp drops trailing white space") {
  std::string decoded = decode_transfer_encoding("line  \r\nnext\t\r\nend", "quoted-printable");
  decoded.erase(std::remove(decoded.begin(), decoded.end(), '\r'), decoded.end());
  CHECK(decoded == "line\nnext\nend");
}

// RFC 2045 6.7 (4): a hard line break in quoted-printable is the CRLF of the
// canonical form; the decoder should not turn it into a bare LF (the base64 and
// identity paths keep the bytes as they are).
TEST_CASE("decode_transfer_encoding: qp hard line breaks stay CRLF") {
  CHECK(decode_transfer_encoding("line one\r\nline two\r\n", "quoted-printable") == "line one\r\nline two\r\n");
}

}  // namespace csirtgw
