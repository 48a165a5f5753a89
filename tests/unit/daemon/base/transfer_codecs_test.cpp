// The one base64 / quoted-printable codec (filters/mime/transfer_codecs.cpp):
// round trips over binary data, the strict RFC 2047 word decoder, and the
// one-line encoder the acknowledgement's encoded-words rely on.
#include <doctest/doctest.h>

#include <string>

#include "transfer_codecs.h"

namespace csirtgw {

TEST_CASE("base64 round trip over every byte value and every length mod 3") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n : {0u, 1u, 2u, 3u, 4u, 5u, 57u, 58u, 256u}) {
    const auto bytes = all.substr(0, n);
    const auto encoded = encode_base64(bytes);
    CHECK(encoded.find_first_of("\r\n") == std::string::npos);  // one line, however long
    CHECK(encoded.size() == 4 * ((n + 2) / 3));
    CHECK(decode_base64(encoded) == bytes);
    CHECK(decode_base64_word(encoded) == bytes);
  }
  CHECK(encode_base64("Hello, world!") == "SGVsbG8sIHdvcmxkIQ==");
}

TEST_CASE("decode_base64_word is strict, decode_base64 skips line breaks") {
  CHECK(decode_base64_word("w6k=") == std::string("\xc3\xa9"));
  CHECK(decode_base64_word("w6k") == std::string("\xc3\xa9"));  // unpadded, as some mailers write
  CHECK_FALSE(decode_base64_word("w6k*").has_value());
  CHECK_FALSE(decode_base64_word("w6 k").has_value());
  CHECK_FALSE(decode_base64_word("w6\r\nk").has_value());
  CHECK(decode_base64("w6\r\nk=") == std::string("\xc3\xa9"));
}

TEST_CASE("quoted-printable round trip keeps UTF-8 and line structure") {
  const std::string text = "Gr\xc3\xbc\xc3\x9f" "e = 100%\nline two with a very long tail " + std::string(120, 'x') + "\n";
  const auto encoded = encode_quoted_printable(text);
  for (std::size_t start = 0, end; start < encoded.size(); start = end + 1) {
    end = encoded.find('\n', start);
    if (end == std::string::npos) end = encoded.size();
    CHECK(end - start <= 77);  // 76 characters and a CR at most
  }
  CHECK(encoded.find("=3D") != std::string::npos);
  CHECK(decode_quoted_printable(encoded) == text);
}

}  // namespace csirtgw
