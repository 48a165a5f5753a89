// The bounded MIME scan (filters/mime/mime_structure.cpp) over raw bytes: entity byte
// ranges (the CRLF before a delimiter belongs to the delimiter, RFC 2046 5.1.1, so
// a signed part's bytes are exactly what was signed, RFC 3156 5), preamble and
// epilogue, close and look-alike delimiter lines, nesting, message/rfc822, every
// limit (a 5,000-deep multipart must be refused quickly, without recursion), and
// Content-Type parsing.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "mime_structure.h"

namespace csirtgw {
namespace {

// Multipart/mixed with `parts` (each an entity text without the trailing CRLF).
std::string multipart(const std::string& boundary, const std::vector<std::string>& parts,
                      const std::string& preamble = "", const std::string& epilogue = "") {
  std::string m = "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n" + preamble;
  for (const auto& p : parts) m += "--" + boundary + "\r\n" + p + "\r\n";
  m += "--" + boundary + "--\r\n" + epilogue;
  return m;
}

// `levels` multiparts, each holding the next, around one text/plain leaf.
std::string nested_multipart(std::size_t levels) {
  std::string head;
  std::string tail;
  for (std::size_t i = 0; i < levels; ++i) {
    const std::string b = "b" + std::to_string(i);
    head += "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n";
    tail = "\r\n--" + b + "--" + (i == 0 ? std::string("\r\n") : std::string()) + tail;
  }
  return head + "Content-Type: text/plain\r\n\r\nleaf" + tail;
}

std::size_t count_entities(const MimeEntity& e) {
  std::size_t n = 1;
  for (const auto& p : e.parts) n += count_entities(p);
  return n;
}

}  // namespace

TEST_CASE("scan_mime: a single-part message") {
  struct Row {
    std::string name;
    std::string message;
    std::string headers;  // headers() runs to body_begin: the empty line included
    std::string body;
    std::string type;
    std::string encoding;
  };
  const std::vector<Row> rows = {
      {"CRLF", "Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\n", "body\r\n", "text/plain", "7bit"},
      {"LF", "Subject: x\n\nbody\n", "Subject: x\n\n", "body\n", "text/plain", "7bit"},
      {"no headers", "\r\nbody", "\r\n", "body", "text/plain", "7bit"},
      {"no body", "Subject: x\r\n", "Subject: x\r\n", "", "text/plain", "7bit"},
      {"empty", "", "", "", "text/plain", "7bit"},
      {"typed", "Content-Type: Application/PDF\r\nContent-Transfer-Encoding: BASE64\r\n\r\nJVBE\r\n",
       "Content-Type: Application/PDF\r\nContent-Transfer-Encoding: BASE64\r\n\r\n", "JVBE\r\n", "application/pdf",
       "base64"},
      {"folded Content-Type", "Content-Type: text/html;\r\n charset=utf-8\r\n\r\n<p>\r\n",
       "Content-Type: text/html;\r\n charset=utf-8\r\n\r\n", "<p>\r\n", "text/html", "7bit"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto scanned = scan_mime(row.message, MimeLimits{});
      REQUIRE(scanned.ok());
      const MimeEntity& e = scanned.value();
      CHECK(e.begin == 0);
      CHECK(e.end == row.message.size());
      CHECK(e.headers(row.message) == row.headers);
      CHECK(e.body(row.message) == row.body);
      CHECK(e.bytes(row.message) == row.message);
      CHECK(e.content_type.type + "/" + e.content_type.subtype == row.type);
      CHECK(e.transfer_encoding == row.encoding);
      CHECK(e.parts.empty());
    }
  }
}

TEST_CASE("scan_mime: multipart byte ranges") {
  // The part's last CRLF (before "--b1") is the delimiter's; an empty line before
  // the delimiter therefore leaves exactly one CRLF in the part.
  const std::string message =
      "From: a@x.example\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
      "\r\n"
      "This is the preamble. --b1 is mentioned here mid-line.\r\n"
      "--b1\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      "first part, see --b1 (not a delimiter)\r\n"
      "--b1x is not a delimiter either\r\n"
      " --b1 indented is not one\r\n"
      "--b1 \t\r\n"
      "\r\n"
      "second part\r\n"
      "\r\n"
      "--b1-- \r\n"
      "epilogue\r\n"
      "--b1\r\n"
      "not a part: after the close delimiter\r\n";
  auto scanned = scan_mime(message, MimeLimits{});
  REQUIRE(scanned.ok());
  const MimeEntity& root = scanned.value();
  CHECK(root.content_type.is("multipart", "mixed"));
  CHECK(root.end == message.size());
  REQUIRE(root.parts.size() == 2);

  struct Row {
    std::string name;
    std::size_t index;
    std::string bytes;
    std::string headers;
    std::string body;
  };
  const std::vector<Row> rows = {
      {"first", 0,
       "Content-Type: text/plain; charset=us-ascii\r\n\r\nfirst part, see --b1 (not a delimiter)\r\n"
       "--b1x is not a delimiter either\r\n --b1 indented is not one",
       "Content-Type: text/plain; charset=us-ascii\r\n\r\n",
       "first part, see --b1 (not a delimiter)\r\n--b1x is not a delimiter either\r\n --b1 indented is not one"},
      {"second (no headers, delimiter with trailing white space)", 1, "\r\nsecond part\r\n", "\r\n", "second part\r\n"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const MimeEntity& part = root.parts[row.index];
      CHECK(part.bytes(message) == row.bytes);
      CHECK(part.headers(message) == row.headers);
      CHECK(part.body(message) == row.body);
      CHECK(part.parts.empty());
      CHECK(part.content_type.is("text", "plain"));
      // The part's bytes start right after a delimiter line and stop right before the
      // CRLF that introduces the next one.
      CHECK(message.substr(part.begin - 2, 2) == "\r\n");
      CHECK(message.substr(part.end, 4) == "\r\n--");
    }
  }
}

TEST_CASE("scan_mime: LF-only multipart") {
  const std::string message =
      "Content-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\none\n--zz\n\ntwo\n--zz--\n";
  auto scanned = scan_mime(message, MimeLimits{});
  REQUIRE(scanned.ok());
  REQUIRE(scanned->parts.size() == 2);
  const std::vector<std::string> expected = {"Content-Type: text/plain\n\none", "\ntwo"};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(scanned->parts[i].bytes(message) == expected[i]);
  }
}

TEST_CASE("scan_mime: empty parts") {
  const std::string message = "Content-Type: multipart/mixed; boundary=e\r\n\r\n--e\r\n--e\r\n\r\n--e--\r\n";
  auto scanned = scan_mime(message, MimeLimits{});
  REQUIRE(scanned.ok());
  REQUIRE(scanned->parts.size() == 2);
  CHECK(scanned->parts[0].bytes(message).empty());
  CHECK(scanned->parts[1].bytes(message).empty());
  for (const auto& p : scanned->parts) CHECK(p.begin <= p.end);
}

TEST_CASE("scan_mime: nested multipart and message/rfc822") {
  const std::string inner_signed =
      "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"in\"\r\n"
      "\r\n"
      "--in\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "signed text\r\n"
      "--in\r\n"
      "Content-Type: application/pgp-signature\r\n"
      "\r\n"
      "SIG\r\n"
      "--in--";
  const std::string attached =
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "Subject: inner\r\n"
      "Content-Type: text/html\r\n"
      "\r\n"
      "<p>inner</p>";
  const std::string message = multipart("out", {"\r\nunsigned intro", inner_signed, attached}, "pre\r\n", "post\r\n");
  auto scanned = scan_mime(message, MimeLimits{});
  REQUIRE(scanned.ok());
  const MimeEntity& root = scanned.value();
  REQUIRE(root.parts.size() == 3);
  CHECK(count_entities(root) == 1 + 3 + 2 + 1);

  SUBCASE("multipart/signed child keeps its close delimiter, not the outer CRLF") {
    const MimeEntity& s = root.parts[1];
    CHECK(s.content_type.is("multipart", "signed"));
    CHECK(s.bytes(message) == inner_signed);
    REQUIRE(s.parts.size() == 2);
    CHECK(s.parts[0].bytes(message) == "Content-Type: text/plain\r\n\r\nsigned text");
    CHECK(s.parts[1].content_type.is("application", "pgp-signature"));
    CHECK(s.parts[1].body(message) == "SIG");
  }
  SUBCASE("message/rfc822 has its message as the one child") {
    const MimeEntity& m = root.parts[2];
    CHECK(m.content_type.is("message", "rfc822"));
    CHECK(m.bytes(message) == attached);
    REQUIRE(m.parts.size() == 1);
    const MimeEntity& inner = m.parts[0];
    CHECK(inner.begin == m.body_begin);
    CHECK(inner.end == m.end);
    CHECK(inner.content_type.is("text", "html"));
    CHECK(inner.headers(message) == "Subject: inner\r\nContent-Type: text/html\r\n\r\n");
    CHECK(inner.body(message) == "<p>inner</p>");
  }
  SUBCASE("root message/rfc822") {
    const std::string wrapper = "Content-Type: message/rfc822\r\n\r\n" + message;
    auto outer = scan_mime(wrapper, MimeLimits{});
    REQUIRE(outer.ok());
    REQUIRE(outer->parts.size() == 1);
    CHECK(outer->parts[0].bytes(wrapper) == message);
    CHECK(outer->parts[0].parts.size() == 3);
  }
}

TEST_CASE("scan_mime: refused structures") {
  struct Row {
    std::string name;
    std::string message;
    std::string reason;  // part of the error message
  };
  const std::vector<Row> rows = {
      {"no boundary parameter", "Content-Type: multipart/mixed\r\n\r\n--x\r\na\r\n--x--\r\n", "boundary"},
      {"empty boundary", "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\na\r\n----\r\n", "boundary"},
      {"boundary over 70 characters",
       "Content-Type: multipart/mixed; boundary=" + std::string(71, 'q') + "\r\n\r\n--" + std::string(71, 'q') +
           "\r\na\r\n--" + std::string(71, 'q') + "--\r\n",
       "boundary"},
      {"no delimiter at all", "Content-Type: multipart/mixed; boundary=x\r\n\r\njust text\r\n", "delimiter"},
      {"boundary only mid-line", "Content-Type: multipart/mixed; boundary=x\r\n\r\ntext --x\r\nmore --x--\r\n",
       "delimiter"},
      {"nested part without boundary",
       multipart("o", {"Content-Type: multipart/alternative\r\n\r\n--y\r\na\r\n--y--"}), "boundary"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      auto scanned = scan_mime(row.message, MimeLimits{});
      REQUIRE_FALSE(scanned.ok());
      CHECK(scanned.error().kind == ErrorClass::bad_input);
      CHECK(scanned.error().message.find(row.reason) != std::string::npos);
    }
  }
  SUBCASE("one delimiter and no close: the part runs to the end and is scanned") {
    auto scanned = scan_mime("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\npart\r\n", MimeLimits{});
    REQUIRE(scanned.ok());
    REQUIRE(scanned->parts.size() == 1);
  }
  SUBCASE("a 70-character boundary is fine") {
    const std::string b(70, 'q');
    auto scanned = scan_mime(multipart(b, {"\r\na"}), MimeLimits{});
    REQUIRE(scanned.ok());
    CHECK(scanned->parts.size() == 1);
  }
}

// Two delimiters but no close delimiter: the bytes after the last delimiter must not
// silently vanish from the structure. A part nobody scans escapes every limit (a
// depth bomb there reaches whatever parses the message next) and every check (its
// ciphertext or signature is never seen). Either refuse the message or give the
// remainder as a last part (RFC 2046 5.1.2 treats a missing close as truncation).
TEST_CASE("scan_mime: multipart without close delimiter keeps its last part") {
  const std::string message =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nfirst\r\n--x\r\n"
      "Content-Type: application/pgp-encrypted\r\n\r\nsecond, never inspected\r\n";
  auto scanned = scan_mime(message, MimeLimits{});
  if (scanned.ok()) {
    std::size_t covered_end = 0;
    for (const auto& p : scanned->parts) covered_end = std::max(covered_end, p.end);
    CHECK(scanned->parts.size() == 2);
    CHECK(covered_end > message.find("second"));
  } else {
    CHECK(scanned.error().kind == ErrorClass::bad_input);
  }
}

TEST_CASE("scan_mime: a depth bomb after the last delimiter is refused") {
  const std::string message =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nfirst\r\n--x\r\n" + nested_multipart(5000);
  auto scanned = scan_mime(message, MimeLimits{});
  CHECK_FALSE(scanned.ok());
  // The same bomb with the close delimiter in place is refused (control).
  CHECK_FALSE(scan_mime(message + "\r\n--x--\r\n", MimeLimits{}).ok());
}

TEST_CASE("scan_mime: limits") {
  SUBCASE("depth: the limit itself is allowed, one more is refused") {
    MimeLimits limits;
    limits.depth = 3;
    auto at_limit = scan_mime(nested_multipart(3), limits);
    REQUIRE(at_limit.ok());
    CHECK(count_entities(at_limit.value()) == 4);
    auto over = scan_mime(nested_multipart(4), limits);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().kind == ErrorClass::bad_input);
    CHECK(over.error().message.find("deeper than 3") != std::string::npos);
  }
  SUBCASE("depth: message/rfc822 counts as a level") {
    MimeLimits limits;
    limits.depth = 2;
    const std::string rfc822 = "Content-Type: message/rfc822\r\n\r\n";
    CHECK(scan_mime(rfc822 + rfc822 + "Subject: x\r\n\r\nbody", limits).ok());
    auto over = scan_mime(rfc822 + rfc822 + rfc822 + "Subject: x\r\n\r\nbody", limits);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().message.find("deeper") != std::string::npos);
  }
  SUBCASE("depth: 5,000 nested multiparts are refused quickly") {
    const std::string bomb = nested_multipart(5000);
    const auto start = std::chrono::steady_clock::now();
    auto scanned = scan_mime(bomb, MimeLimits{});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(scanned.ok());
    CHECK(scanned.error().kind == ErrorClass::bad_input);
    CHECK(scanned.error().message.find("deeper than 32") != std::string::npos);
    CHECK(elapsed < std::chrono::seconds(2));
  }
  SUBCASE("depth: 5,000 nested message/rfc822 are refused quickly") {
    std::string bomb;
    for (int i = 0; i < 5000; ++i) bomb += "Content-Type: message/rfc822\r\n\r\n";
    bomb += "Subject: x\r\n\r\nbody";
    auto scanned = scan_mime(bomb, MimeLimits{});
    REQUIRE_FALSE(scanned.ok());
    CHECK(scanned.error().message.find("deeper") != std::string::npos);
  }
  SUBCASE("part count includes the root") {
    MimeLimits limits;
    limits.parts = 3;
    auto at_limit = scan_mime(multipart("p", {"\r\na", "\r\nb"}), limits);
    REQUIRE(at_limit.ok());
    CHECK(at_limit->parts.size() == 2);
    auto over = scan_mime(multipart("p", {"\r\na", "\r\nb", "\r\nc"}), limits);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().kind == ErrorClass::bad_input);
    CHECK(over.error().message.find("more than 3") != std::string::npos);
  }
  SUBCASE("part count: 100,000 empty parts are refused") {
    std::string many = "Content-Type: multipart/mixed; boundary=m\r\n\r\n";
    for (int i = 0; i < 100000; ++i) many += "--m\r\n";
    many += "--m--\r\n";
    auto scanned = scan_mime(many, MimeLimits{});
    REQUIRE_FALSE(scanned.ok());
    CHECK(scanned.error().message.find("more than 1000") != std::string::npos);
  }
  SUBCASE("header block size, at the root and in a part") {
    MimeLimits limits;
    limits.header_block = 40;
    const std::string field_40 = "X-Pad: " + std::string(31, 'p') + "\r\n";  // 40 octets
    REQUIRE(field_40.size() == 40);
    CHECK(scan_mime(field_40 + "\r\nbody", limits).ok());
    auto root_over = scan_mime("Y" + field_40 + "\r\nbody", limits);
    REQUIRE_FALSE(root_over.ok());
    CHECK(root_over.error().message.find("header block") != std::string::npos);

    limits.header_block = 100;
    auto part_over = scan_mime(multipart("h", {field_40 + field_40 + field_40 + "\r\nbody"}), limits);
    REQUIRE_FALSE(part_over.ok());
    CHECK(part_over.error().message.find("header block") != std::string::npos);
  }
  SUBCASE("line length counts the CRLF, anywhere in the message") {
    MimeLimits limits;
    limits.line_length = 20;
    const std::string line_20 = std::string(18, 'l') + "\r\n";
    CHECK(scan_mime("Subject: x\r\n\r\n" + line_20 + line_20, limits).ok());
    for (const std::string& message : {"Subject: x\r\n\r\n" + std::string(19, 'l') + "\r\n",
                                       "Subject: x\r\n\r\n" + std::string(21, 'l'),  // last line without CRLF
                                       "X-Long: " + std::string(30, 'l') + "\r\n\r\nbody"}) {
      CAPTURE(message);
      auto scanned = scan_mime(message, limits);
      REQUIRE_FALSE(scanned.ok());
      CHECK(scanned.error().kind == ErrorClass::bad_input);
      CHECK(scanned.error().message.find("longer than 20") != std::string::npos);
    }
  }
  SUBCASE("a 5 MB line without LF is refused quickly") {
    const std::string huge = "Subject: " + std::string(5 * 1024 * 1024, 'h');
    const auto start = std::chrono::steady_clock::now();
    auto scanned = scan_mime(huge, MimeLimits{});
    CHECK_FALSE(scanned.ok());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  }
}

TEST_CASE("parse_content_type") {
  struct Row {
    std::string name;
    std::string value;
    std::string type;
    std::string subtype;
    std::map<std::string, std::string> parameters;
  };
  const std::vector<Row> rows = {
      {"plain", "text/plain", "text", "plain", {}},
      {"case folded, value case kept", "TEXT/HTML; CharSet=UTF-8", "text", "html", {{"charset", "UTF-8"}}},
      {"quoted parameter with ; and space", "multipart/mixed; boundary=\"a b;c=d\"", "multipart", "mixed",
       {{"boundary", "a b;c=d"}}},
      {"quoted-pair", R"(multipart/mixed; boundary="a\"b\\c")", "multipart", "mixed", {{"boundary", R"(a"b\c)"}}},
      {"several parameters", "multipart/signed; micalg=pgp-sha256; protocol=\"application/pgp-signature\"; boundary=s",
       "multipart", "signed",
       {{"micalg", "pgp-sha256"}, {"protocol", "application/pgp-signature"}, {"boundary", "s"}}},
      {"comments everywhere", "multipart (c1) / (c2) mixed (c3) ; (c4) boundary (c5) = (c6) xyz (c7)", "multipart",
       "mixed", {{"boundary", "xyz"}}},
      {"nested comment", "text/plain (a (b) c); charset=us-ascii", "text", "plain", {{"charset", "us-ascii"}}},
      {"comment with escaped paren", R"(text/plain (a \) b); charset=x)", "text", "plain", {{"charset", "x"}}},
      {"folding white space", "multipart/mixed;\r\n\tboundary=f", "multipart", "mixed", {{"boundary", "f"}}},
      {"duplicate parameter: the first wins", "multipart/mixed; boundary=one; BOUNDARY=two", "multipart", "mixed",
       {{"boundary", "one"}}},
      {"trailing semicolon", "text/plain;", "text", "plain", {}},
      {"parameter without value stops parsing", "text/plain; charset; format=flowed", "text", "plain", {}},
      {"empty", "", "text", "plain", {}},
      {"type only", "text", "text", "plain", {}},
      {"no type", "/plain", "text", "plain", {}},
      {"no subtype", "image/", "text", "plain", {}},
      {"garbage with a boundary", "garbage; boundary=x", "text", "plain", {}},
      {"quoted type", "\"multipart/mixed\"; boundary=x", "text", "plain", {}},
      {"only a comment", "(multipart/mixed)", "text", "plain", {}},
      // Found by fuzz_smoke: a backslash ending an unclosed comment stepped past
      // the end, and the next token read threw std::out_of_range (the worker
      // thread, and so the daemon, died; again at each restart).
      {"comment ending in a backslash", "(x\\", "text", "plain", {}},
      {"comment ending in a backslash after the type", "text (x\\", "text", "plain", {}},
      {"comment ending in a backslash in the parameters", "text/plain; (x\\", "text", "plain", {}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      ContentType ct = parse_content_type(row.value);
      CHECK(ct.type == row.type);
      CHECK(ct.subtype == row.subtype);
      CHECK(ct.parameters == row.parameters);
    }
  }
  SUBCASE("parameter() and is()") {
    ContentType ct = parse_content_type("Multipart/Encrypted; Protocol=\"application/pgp-encrypted\"; boundary=e");
    CHECK(ct.is("multipart", "encrypted"));
    CHECK_FALSE(ct.is("multipart", "signed"));
    CHECK(ct.parameter("protocol") == "application/pgp-encrypted");
    CHECK(ct.parameter("boundary") == "e");
    CHECK(ct.parameter("missing").empty());
  }
}

}  // namespace csirtgw
