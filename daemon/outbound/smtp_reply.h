// Reading SMTP server replies (RFC 5321 4.2) for the outbound client. It does no
// I/O: it is fed bytes as they arrive and says when one reply is complete, so it
// is tested with plain strings (tests/unit/daemon/outbound/smtp_client_test.cpp).
//
// The server is not trusted to be sane: a reply is bounded (line length, line
// count) and anything that is not "NNN-text" / "NNN text" lines with one code is
// malformed. It must never let reply text reach a log or a record unfiltered:
// one_printable_line() is the way out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace csirtgw {

struct SmtpReply {
  int code = 0;                    // 200..599
  std::vector<std::string> lines;  // the text after "NNN-" / "NNN " of each line, may be empty

  int kind() const { return code / 100; }  // 2 ok, 3 go on, 4 temporary, 5 permanent
};

struct ReplyLimits {
  std::size_t line_octets = 4096;  // one line incl. CRLF; RFC 5321 4.5.3.1.5 says 512
  std::size_t lines = 100;         // EHLO replies are the longest, ~10-20 lines
};

class ReplyParser {
 public:
  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  enum class Status { complete, incomplete, malformed };
  struct Step {
    Status status = Status::incomplete;
    std::size_t consumed = 0;  // octets of input used; the rest belongs to the next reply
  };

  // Consumes input up to the end of one reply. After `complete`, take_reply()
  // hands it over and the parser starts on the next one; `malformed` is final.
  Step feed(std::string_view input);
  SmtpReply take_reply();
  const std::string& problem() const { return problem_; }

 private:
  Step fail(std::size_t consumed, std::string problem);
  Status end_line();

  ReplyLimits limits_;
  std::string line_;
  SmtpReply reply_;
  std::string problem_;
  bool malformed_ = false;
};

// "250 2.0.0 Ok: queued as X": code and the lines' text joined by spaces, as one line.
std::string reply_summary(const SmtpReply& reply);

// Text made safe for one log line or record field: every byte outside printable
// ASCII becomes '?', and more than max octets are cut to end in "...".
std::string one_printable_line(std::string_view text, std::size_t max = 200);

}  // namespace csirtgw
