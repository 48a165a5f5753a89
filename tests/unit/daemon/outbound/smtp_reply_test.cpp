// The outbound client's pure parts: reading server replies
// (daemon/outbound/smtp_reply.cpp) and what goes out after 354 and into RCPT TO
// (daemon/outbound/smtp_payload.cpp). Plain strings in, values out. Every reply in the
// parser table is also fed one byte at a time: the result must not depend on
// how the bytes arrive.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "smtp_payload.h"
#include "smtp_reply.h"

namespace csirtgw {
namespace {

using namespace std::string_literals;
using Status = ReplyParser::Status;

struct Parsed {
  Status status = Status::incomplete;
  std::size_t consumed = 0;
  int code = 0;
  std::vector<std::string> lines;
  std::string problem;
};

// Feeds input in pieces of `piece` octets until the reply is complete or malformed.
Parsed parse(const std::string& input, std::size_t piece) {
  ReplyParser parser;
  Parsed out;
  std::size_t at = 0;
  while (at < input.size()) {
    const auto step = parser.feed(std::string_view(input).substr(at, piece));
    at += step.consumed;
    out.status = step.status;
    if (step.status != Status::incomplete) break;
  }
  out.consumed = at;
  if (out.status == Status::complete) {
    const SmtpReply reply = parser.take_reply();
    out.code = reply.code;
    out.lines = reply.lines;
  }
  out.problem = parser.problem();
  return out;
}

}  // namespace

TEST_CASE("reply parser: complete, incomplete and malformed replies") {
  struct Row {
    std::string name;
    std::string input;
    Status status;
    std::size_t consumed;  // complete only
    int code;
    std::vector<std::string> lines;
    std::string problem;  // malformed only: a part of the reason
  };
  const std::string long_line = "250 " + std::string(5000, 'x') + "\r\n";
  std::string hundred_lines, hundred_one_lines;
  for (int i = 0; i < 99; ++i) hundred_lines += "250-line\r\n";
  hundred_one_lines = hundred_lines + "250-line\r\n250 end\r\n";
  hundred_lines += "250 end\r\n";
  std::vector<std::string> hundred_texts(99, "line");
  hundred_texts.push_back("end");

  const std::vector<Row> rows = {
      {"single line", "250 2.0.0 Ok: queued as 4F2\r\n", Status::complete, 29, 250, {"2.0.0 Ok: queued as 4F2"}, ""},
      {"multiline", "250-sink.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n", Status::complete, 45, 250,
       {"sink.test", "PIPELINING", "8BITMIME"}, ""},
      {"code alone", "354\r\n", Status::complete, 5, 354, {""}, ""},
      {"code and space", "221 \r\n", Status::complete, 6, 221, {""}, ""},
      {"bytes after the reply stay", "250 ok\r\n221 bye\r\n", Status::complete, 8, 250, {"ok"}, ""},
      {"bare LF line end is read", "250-a\n250 b\n", Status::complete, 12, 250, {"a", "b"}, ""},
      {"100 lines", hundred_lines, Status::complete, hundred_lines.size(), 250,
       hundred_texts, ""},
      {"nothing yet", "", Status::incomplete, 0, 0, {}, ""},
      {"half a code", "25", Status::incomplete, 0, 0, {}, ""},
      {"no line end yet", "250 ok", Status::incomplete, 0, 0, {}, ""},
      {"multiline not finished", "250-a\r\n250-b\r\n", Status::incomplete, 0, 0, {}, ""},
      {"no code", "hello\r\n", Status::malformed, 0, 0, {}, "reply code"},
      {"empty line", "\r\n", Status::malformed, 0, 0, {}, "reply code"},
      {"1xx", "199 x\r\n", Status::malformed, 0, 0, {}, "reply code"},
      {"6xx", "600 x\r\n", Status::malformed, 0, 0, {}, "reply code"},
      {"letter in code", "2a0 x\r\n", Status::malformed, 0, 0, {}, "reply code"},
      {"bad separator", "250x\r\n", Status::malformed, 0, 0, {}, "space or '-'"},
      {"code changes", "250-a\r\n251 b\r\n", Status::malformed, 0, 0, {}, "code changes"},
      {"line too long", long_line, Status::malformed, 0, 0, {}, "longer than 4096 octets"},
      {"line too long, no end yet", long_line.substr(0, 4200), Status::malformed, 0, 0, {}, "longer than 4096"},
      {"101 lines", hundred_one_lines, Status::malformed, 0, 0, {}, "longer than 100 lines"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      for (std::size_t piece : {row.input.size() + 1, std::size_t{1}}) {
        CAPTURE(piece);
        const Parsed got = parse(row.input, piece);
        CHECK(got.status == row.status);
        if (row.status == Status::complete) {
          CHECK(got.consumed == row.consumed);
          CHECK(got.code == row.code);
          CHECK(got.lines == row.lines);
        }
        if (row.status == Status::malformed) CHECK(got.problem.find(row.problem) != std::string::npos);
      }
    }
  }
}

TEST_CASE("reply parser: replies in a row, and malformed is final") {
  ReplyParser parser;
  const std::string input = "220 hi\r\n250-a\r\n250 b\r\n";
  auto step = parser.feed(input);
  REQUIRE(step.status == Status::complete);
  CHECK(parser.take_reply().lines == std::vector<std::string>{"hi"});
  step = parser.feed(std::string_view(input).substr(step.consumed));
  REQUIRE(step.status == Status::complete);
  const SmtpReply second = parser.take_reply();
  CHECK(second.code == 250);
  CHECK(second.lines == std::vector<std::string>{"a", "b"});

  CHECK(parser.feed("junk\r\n").status == Status::malformed);
  CHECK(parser.feed("250 ok\r\n").status == Status::malformed);
}

TEST_CASE("reply summary: one printable line of at most 200 octets") {
  CHECK(reply_summary({250, {"2.0.0 Ok: queued as X"}}) == "250 2.0.0 Ok: queued as X");
  CHECK(reply_summary({550, {"5.1.1 <a@b>: Recipient", "address rejected"}}) ==
        "550 5.1.1 <a@b>: Recipient address rejected");
  CHECK(reply_summary({354, {""}}) == "354");
  CHECK(reply_summary({250, {"tab\there, esc\x1b, del\x7f, 8bit \xc3\xa9"}}) ==
        "250 tab?here, esc?, del?, 8bit ??");
  const std::string summary = reply_summary({550, {std::string(300, 'x')}});
  CHECK(summary.size() == 200);
  CHECK(summary.substr(0, 5) == "550 x");
  CHECK(summary.substr(197) == "...");
  CHECK(one_printable_line("a\r\nb") == "a??b");
}

TEST_CASE("dot-stuffing: RFC 5321 4.5.2, always CRLF, always ends in CRLF . CRLF") {
  struct Row {
    std::string name;
    std::string message;
    std::string sent;
  };
  const std::vector<Row> rows = {
      {"plain", "Subject: x\r\n\r\nbody\r\n", "Subject: x\r\n\r\nbody\r\n.\r\n"},
      {"line starting with a dot", "a\r\n.b\r\n", "a\r\n..b\r\n.\r\n"},
      {"a lone dot", "a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"},
      {"dots first and last", ".a\r\n..\r\n", "..a\r\n...\r\n.\r\n"},
      {"dot not at line start", "a.b\r\n a.\r\n", "a.b\r\n a.\r\n.\r\n"},
      {"no final CRLF", "a\r\nb", "a\r\nb\r\n.\r\n"},
      {"no final CRLF, dot line", "a\r\n.", "a\r\n..\r\n.\r\n"},
      {"empty message", "", ".\r\n"},
      {"only CRLF", "\r\n", "\r\n.\r\n"},
      // The input should be CRLF text; a bare LF or CR still never reaches the
      // wire alone (a receiver might read it as a line end where we did not).
      {"bare LF becomes CRLF", "a\n.b\nc", "a\r\n..b\r\nc\r\n.\r\n"},
      {"bare CR becomes CRLF", "a\r.b\r", "a\r\n..b\r\n.\r\n"},
      {"smuggling attempt", "a\n.\r\nMAIL FROM:<x>\r\n", "a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n"},
      {"8-bit and NUL pass", "\xc3\xa9\0x\r\n"s, "\xc3\xa9\0x\r\n.\r\n"s},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const std::string sent = dot_stuffed_data(row.message);
      CHECK(sent == row.sent);
      // The only "CRLF . CRLF" is the last one; no CR or LF stands alone.
      CHECK(("\r\n" + sent).find("\r\n.\r\n") == sent.size() - 3);
      for (std::size_t i = 0; i < sent.size(); ++i) {
        if (sent[i] == '\r') CHECK(sent[i + 1] == '\n');
        if (sent[i] == '\n') CHECK((i > 0 && sent[i - 1] == '\r'));
      }
    }
  }
}

TEST_CASE("command words: what would break RCPT TO or EHLO is refused") {
  CHECK_FALSE(rcpt_address_problem("reporter@example.org"));
  CHECK_FALSE(rcpt_address_problem("postmaster"));
  CHECK_FALSE(rcpt_address_problem(std::string(64, 'l') + "@" + std::string(189, 'd')));
  struct Row {
    std::string recipient;
    std::string problem;
  };
  const std::vector<Row> rows = {
      {"", "empty"},
      {"a@b\r\nRCPT TO:<c@d>", "control character"},
      {"a@b\n", "control character"},
      {"a\0b@c"s, "control character"},
      {"a\x7f@b", "control character"},
      {"a@b>", "'<' or '>'"},
      {"<a@b", "'<' or '>'"},
      {"a b@c", "space"},
      {"\xc3\xa9@example.org", "non-ASCII"},
      {std::string(255, 'a'), "longer than 254"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.recipient);
    const auto problem = rcpt_address_problem(row.recipient);
    REQUIRE(problem);
    CHECK(problem->find(row.problem) != std::string::npos);
  }
  CHECK_FALSE(helo_name_problem("gw.example.org"));
  CHECK(helo_name_problem("gw\r\nMAIL FROM:<x>"));
  CHECK(helo_name_problem(""));
}

}  // namespace csirtgw
