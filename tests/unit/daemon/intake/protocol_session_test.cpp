// Golden transcripts for the SMTP/LMTP state machine (daemon/intake/protocol_session.cpp).
// The session does no I/O, so every test is a client byte string in and the
// concatenated replies, stored bodies and envelopes out. Every transcript in the
// table is also replayed one byte at a time and split at every position into two
// chunks: the result must not depend on how the bytes arrive.
#include <doctest/doctest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "envelope_address.h"
#include "protocol_session.h"

namespace csirtgw {
namespace {

using namespace std::string_literals;

constexpr const char* kHost = "gw.test";

std::optional<std::string> test_intake_lookup(std::string_view address) {
  const std::string lower = lowercase_address(std::string(address));
  for (const char* name : {"cert", "abuse", "vuln"})
    if (lower == std::string(name) + "@csirt.example") return std::string(name);
  return std::nullopt;
}

struct StoredMessage {
  std::string envelope;  // "sender -> rcpt/intake, rcpt/intake"
  std::string body;
  bool operator==(const StoredMessage&) const = default;
};

struct TranscriptResult {
  std::string replies;
  std::vector<StoredMessage> stored;  // every message_complete, whatever the outcome
  int rejected = 0;                   // message_rejected events
  bool closed = false;
  bool operator==(const TranscriptResult&) const = default;
};

std::string describe(const Envelope& envelope) {
  std::string out = "<" + envelope.sender + "> ->";
  for (const auto& r : envelope.recipients) out += " " + r.address + "/" + r.intake;
  return out;
}

// Feeds the chunks in order, handling events as the intake server does. The
// greeting is not included in the replies.
TranscriptResult run_chunks(Protocol protocol, const ProtocolLimits& limits, const std::vector<std::string>& chunks,
                            StoreOutcome outcome = StoreOutcome::stored) {
  ProtocolSession session(protocol, limits, test_intake_lookup, kHost);
  TranscriptResult result;
  std::string body;
  bool in_message = false;
  for (const auto& chunk : chunks) {
    std::string_view input(chunk);
    while (!input.empty()) {
      std::string step_body;
      const auto step = session.feed(input, result.replies, step_body);
      REQUIRE(step.consumed <= input.size());
      input.remove_prefix(step.consumed);
      if (in_message) body += step_body;
      else REQUIRE(step_body.empty());  // body bytes only between data_started and the end
      switch (step.event) {
        case SessionEvent::none:
          REQUIRE(input.empty());  // `none` means all input was consumed
          break;
        case SessionEvent::data_started:
          REQUIRE(!in_message);
          in_message = true;
          body.clear();
          break;
        case SessionEvent::message_complete:
          REQUIRE(in_message);
          result.stored.push_back({describe(session.envelope()), body});
          in_message = false;
          session.message_stored(outcome, "ID", result.replies);
          break;
        case SessionEvent::message_rejected:
          REQUIRE(in_message);
          ++result.rejected;
          in_message = false;
          break;
        case SessionEvent::close:
          result.closed = true;
          return result;
      }
    }
  }
  return result;
}

TranscriptResult run_whole(Protocol protocol, const ProtocolLimits& limits, const std::string& input,
                           StoreOutcome outcome = StoreOutcome::stored) {
  return run_chunks(protocol, limits, {input}, outcome);
}

// --- Reply texts -------------------------------------------------------------

std::string ehlo_reply(std::size_t size = 10240000) {
  return "250-gw.test\r\n250-PIPELINING\r\n250-SIZE " + std::to_string(size) +
         "\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
}
const std::string kOk = "250 2.0.0 Ok\r\n";
const std::string kMailOk = "250 2.1.0 Ok\r\n";
const std::string kRcptOk = "250 2.1.5 Ok\r\n";
const std::string kGoAhead = "354 End data with <CR><LF>.<CR><LF>\r\n";
const std::string kQueued = "250 2.0.0 Ok: queued as ID\r\n";
const std::string kBye = "221 2.0.0 Bye\r\n";
const std::string kBareNewline = "521 5.5.2 gw.test Error: bare CR or LF received; line ends must be CRLF\r\n";
const std::string kUnknownCommand = "500 5.5.2 Error: command not recognized\r\n";
const std::string kNotImplemented = "502 5.5.1 Error: command not implemented\r\n";
const std::string kTooManyErrors = "421 4.7.0 gw.test Error: too many errors\r\n";
const std::string kNulInText = "554 5.6.0 Error: NUL character in message text\r\n";
const std::string kTempFailure = "451 4.3.0 Error: could not store the message safely, try again later\r\n";
const std::string kControlInCommand = "500 5.5.2 Error: control or non-ASCII character in command\r\n";
std::string lmtp_queued(const std::string& address) { return "250 2.0.0 <" + address + "> Ok: queued as ID\r\n"; }
std::string relay_denied(const std::string& address) {
  return "550 5.1.1 <" + address + ">: Recipient address rejected: not an intake address of this gateway\r\n";
}
std::string bad_sender(const std::string& why) { return "501 5.1.7 Bad sender address syntax: " + why + "\r\n"; }
std::string bad_recipient(const std::string& why) { return "501 5.1.3 Bad recipient address syntax: " + why + "\r\n"; }

// A transaction up to and including DATA, and its replies.
const std::string kOpen =
    "EHLO client.test\r\nMAIL FROM:<reporter@example.org>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n";
const std::string kOpenReplies = ehlo_reply() + kMailOk + kRcptOk + kGoAhead;
const std::string kOpenEnvelope = "<reporter@example.org> -> cert@csirt.example/cert";
const std::string kLhloOpen =
    "LHLO mta.test\r\nMAIL FROM:<reporter@example.org>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n";
const std::string kLhloOpenReplies = ehlo_reply() + kMailOk + kRcptOk + kGoAhead;

// A second, complete transaction that a smuggler hides inside the first message.
const std::string kSmuggled =
    "MAIL FROM:<ceo@csirt.example>\r\nRCPT TO:<abuse@csirt.example>\r\nDATA\r\nFrom: ceo\r\n\r\nsmuggled\r\n.\r\n";

ProtocolLimits limits_with(void (*change)(ProtocolLimits&)) {
  ProtocolLimits limits;
  change(limits);
  return limits;
}

struct TranscriptCase {
  std::string name;
  Protocol protocol;
  ProtocolLimits limits;
  std::string input;
  std::string replies;
  std::vector<StoredMessage> stored = {};
  int rejected = 0;
  bool closed = false;
  StoreOutcome outcome = StoreOutcome::stored;
};

std::vector<TranscriptCase> transcript_cases() {
  const auto smtp = Protocol::smtp;
  const auto lmtp = Protocol::lmtp;
  const ProtocolLimits defaults;
  const std::string long_local(64, 'l');
  const std::string too_long_local(65, 'l');
  const std::string long_domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." + std::string(63, 'd') +
                                  "." + std::string(63, 'd') + ".example";  // 256 + ".example" chars
  const std::string line_998(998, 'x');
  const std::string line_999(999, 'x');
  std::vector<TranscriptCase> cases = {
      // --- Every command -------------------------------------------------------
      {"SMTP: EHLO, one message, QUIT", smtp, defaults,
       kOpen + "Subject: hello\r\n\r\nbody line\r\n.\r\nQUIT\r\n",
       kOpenReplies + kQueued + kBye,
       {{kOpenEnvelope, "Subject: hello\r\n\r\nbody line\r\n"}}, 0, true},
      {"SMTP: HELO gets a one-line reply", smtp, defaults,
       "HELO client.test\r\nMAIL FROM:<>\r\nRCPT TO:<abuse@csirt.example>\r\nDATA\r\nx\r\n.\r\n",
       "250 gw.test\r\n" + kMailOk + kRcptOk + kGoAhead + kQueued,
       {{"<> -> abuse@csirt.example/abuse", "x\r\n"}}},
      {"SMTP: commands are case-insensitive and intake lookup ignores case", smtp, defaults,
       "ehlo c\r\nmail from:<A@Example.ORG>\r\nrcpt to:<VULN@Csirt.Example>\r\ndata\r\n.\r\nquit\r\n",
       ehlo_reply() + kMailOk + kRcptOk + kGoAhead + kQueued + kBye,
       {{"<A@Example.ORG> -> VULN@Csirt.Example/vuln", ""}}, 0, true},
      {"SMTP: LHLO is refused", smtp, defaults, "LHLO mta.test\r\n",
       "500 5.5.1 Error: this is an SMTP server, use EHLO\r\n"},
      {"LMTP: LHLO, one message", lmtp, defaults, kLhloOpen + "a\r\n.\r\nQUIT\r\n",
       kLhloOpenReplies + lmtp_queued("cert@csirt.example") + kBye, {{kOpenEnvelope, "a\r\n"}}, 0, true},
      {"LMTP: HELO and EHLO are refused", lmtp, defaults, "HELO c\r\nEHLO c\r\nMAIL FROM:<>\r\n",
       "500 5.5.1 Error: this is an LMTP server, use LHLO\r\n"s + "500 5.5.1 Error: this is an LMTP server, use LHLO\r\n" +
           "503 5.5.1 Error: send LHLO first\r\n"},
      {"SMTP: EHLO and HELO need an argument", smtp, defaults, "EHLO\r\nHELO\r\n",
       "501 5.5.4 Syntax: EHLO hostname\r\n501 5.5.4 Syntax: HELO hostname\r\n"},
      {"SMTP: NOOP, HELP, RSET, VRFY, EXPN", smtp, defaults,
       "NOOP\r\nHELP\r\nRSET\r\nVRFY cert\r\nEXPN staff\r\nVRFY\r\n",
       kOk + "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT\r\n" + kOk +
           "502 5.5.1 Error: VRFY is disabled\r\n502 5.5.1 Error: EXPN is disabled\r\n502 5.5.1 Error: VRFY is disabled\r\n"},
      {"LMTP: HELP lists LHLO", lmtp, defaults, "HELP\r\n",
       "214 2.0.0 Commands: LHLO MAIL RCPT DATA RSET NOOP QUIT\r\n"},
      {"SMTP: RSET with an argument is a syntax error", smtp, defaults, "RSET now\r\n", "501 5.5.4 Syntax: RSET\r\n"},
      {"SMTP: unknown command", smtp, defaults, "FOO bar\r\n\r\n", kUnknownCommand + kUnknownCommand},
      {"SMTP: STARTTLS, AUTH, BDAT, ETRN, TURN, ATRN are not implemented (and not offered)", smtp, defaults,
       "EHLO c\r\nSTARTTLS\r\nAUTH PLAIN AGFAYg==\r\nBDAT 10 LAST\r\nETRN x\r\nTURN\r\nATRN\r\n",
       ehlo_reply() + kNotImplemented + kNotImplemented + kNotImplemented + kNotImplemented + kNotImplemented +
           kNotImplemented},
      {"SMTP: a transaction still works after a refused STARTTLS", smtp, defaults,
       "EHLO c\r\nSTARTTLS\r\nMAIL FROM:<reporter@example.org>\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\nz\r\n.\r\n",
       ehlo_reply() + kNotImplemented + kMailOk + kRcptOk + kGoAhead + kQueued, {{kOpenEnvelope, "z\r\n"}}},
      {"SMTP: QUIT ends the session; later input is ignored", smtp, defaults, "QUIT\r\nNOOP\r\n", kBye, {}, 0, true},
      {"SMTP: QUIT before EHLO", smtp, defaults, "NOOP\r\nQUIT\r\n", kOk + kBye, {}, 0, true},
      // --- Sequencing ----------------------------------------------------------
      {"SMTP: MAIL before EHLO", smtp, defaults, "MAIL FROM:<a@b.example>\r\n",
       "503 5.5.1 Error: send EHLO/HELO first\r\n"},
      {"SMTP: RCPT before MAIL", smtp, defaults, "EHLO c\r\nRCPT TO:<cert@csirt.example>\r\n",
       ehlo_reply() + "503 5.5.1 Error: need MAIL command\r\n"},
      {"SMTP: DATA before MAIL", smtp, defaults, "EHLO c\r\nDATA\r\n",
       ehlo_reply() + "503 5.5.1 Error: need RCPT command\r\n"},
      {"SMTP: nested MAIL", smtp, defaults, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\n",
       ehlo_reply() + kMailOk + "503 5.5.1 Error: nested MAIL command\r\n"},
      {"SMTP: DATA after only refused recipients", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\n",
       ehlo_reply() + kMailOk + relay_denied("x@elsewhere.example") + "554 5.5.1 Error: no valid recipients\r\n"},
      {"SMTP: DATA with an argument", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\nDATA now\r\n",
       ehlo_reply() + kMailOk + kRcptOk + "501 5.5.4 Syntax: DATA\r\n"},
      {"SMTP: RSET drops the transaction", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<cert@csirt.example>\r\nRSET\r\nRCPT TO:<cert@csirt.example>\r\nDATA\r\n",
       ehlo_reply() + kMailOk + kRcptOk + kOk + "503 5.5.1 Error: need MAIL command\r\n" +
           "503 5.5.1 Error: need RCPT command\r\n"},
      {"SMTP: EHLO in a transaction resets it", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example>\r\nEHLO c\r\nRCPT TO:<cert@csirt.example>\r\n",
       ehlo_reply() + kMailOk + ehlo_reply() + "503 5.5.1 Error: need MAIL command\r\n"},
      {"SMTP: MAIL/RCPT syntax", smtp, defaults, "EHLO c\r\nMAIL TO:<a@b.example>\r\nMAIL FROM:<a@b.example>\r\nRCPT FROM:<x@y.example>\r\n",
       ehlo_reply() + "501 5.5.4 Syntax: MAIL FROM:<address>\r\n" + kMailOk + "501 5.5.4 Syntax: RCPT TO:<address>\r\n"},
      // --- Pipelining ----------------------------------------------------------
      {"SMTP: a whole pipelined session with two messages", smtp, defaults,
       kOpen + "one\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<x@elsewhere.example>\r\nRCPT TO:<vuln@csirt.example>\r\nNOOP\r\n"
               "DATA\r\ntwo\r\n.\r\nQUIT\r\n",
       kOpenReplies + kQueued + kMailOk + relay_denied("x@elsewhere.example") + kRcptOk + kOk + kGoAhead + kQueued +
           kBye,
       {{kOpenEnvelope, "one\r\n"}, {"<> -> vuln@csirt.example/vuln", "two\r\n"}}, 0, true},
      // --- LMTP per-recipient replies -----------------------------------------
      {"LMTP: one reply per accepted recipient, in RCPT order", lmtp, defaults,
       "LHLO mta\r\nMAIL FROM:<r@example.org>\r\nRCPT TO:<vuln@csirt.example>\r\nRCPT TO:<x@elsewhere.example>\r\n"
       "RCPT TO:<cert@csirt.example>\r\nDATA\r\nbody\r\n.\r\n",
       ehlo_reply() + kMailOk + kRcptOk + relay_denied("x@elsewhere.example") + kRcptOk + kGoAhead +
           lmtp_queued("vuln@csirt.example") + lmtp_queued("cert@csirt.example"),
       {{"<r@example.org> -> vuln@csirt.example/vuln cert@csirt.example/cert", "body\r\n"}}},
      {"LMTP: a temporary store failure gives 451 per recipient", lmtp, defaults,
       "LHLO mta\r\nMAIL FROM:<r@example.org>\r\nRCPT TO:<abuse@csirt.example>\r\nRCPT TO:<x@elsewhere.example>\r\n"
       "RCPT TO:<cert@csirt.example>\r\nDATA\r\nbody\r\n.\r\nNOOP\r\n",
       ehlo_reply() + kMailOk + kRcptOk + relay_denied("x@elsewhere.example") + kRcptOk + kGoAhead + kTempFailure +
           kTempFailure + kOk,
       {{"<r@example.org> -> abuse@csirt.example/abuse cert@csirt.example/cert", "body\r\n"}}, 0, false,
       StoreOutcome::temporary_failure},
      {"SMTP: a temporary store failure gives one 451", smtp, defaults, kOpen + "b\r\n.\r\n",
       kOpenReplies + kTempFailure, {{kOpenEnvelope, "b\r\n"}}, 0, false, StoreOutcome::temporary_failure},
      {"SMTP: a duplicate is answered like a stored message", smtp, defaults, kOpen + "b\r\n.\r\n",
       kOpenReplies + kQueued, {{kOpenEnvelope, "b\r\n"}}, 0, false, StoreOutcome::duplicate},
      {"LMTP: a rejected message gets one reply per recipient", lmtp, defaults,
       "LHLO mta\r\nMAIL FROM:<r@example.org>\r\nRCPT TO:<abuse@csirt.example>\r\nRCPT TO:<cert@csirt.example>\r\n"
       "DATA\r\nnul \0 here\r\n.\r\n"s,
       ehlo_reply() + kMailOk + kRcptOk + kRcptOk + kGoAhead + kNulInText + kNulInText, {}, 1},
      // --- Limits --------------------------------------------------------------
      {"limit: a 512-octet command line is accepted", smtp, defaults, "NOOP " + std::string(505, 'n') + "\r\n", kOk},
      {"limit: a 513-octet command line is refused, the session goes on", smtp, defaults,
       "NOOP " + std::string(506, 'n') + "\r\nNOOP\r\n",
       "500 5.5.2 Error: command line longer than 512 octets\r\n" + kOk},
      {"limit: a configured command line limit", smtp, limits_with([](ProtocolLimits& l) { l.command_line = 64; }),
       "NOOP " + std::string(57, 'n') + "\r\nNOOP " + std::string(58, 'n') + "\r\n",
       kOk + "500 5.5.2 Error: command line longer than 64 octets\r\n"},
      {"limit: a 1000-octet text line is accepted", smtp, defaults, kOpen + line_998 + "\r\n.\r\n",
       kOpenReplies + kQueued, {{kOpenEnvelope, line_998 + "\r\n"}}},
      {"limit: a 1001-octet text line rejects the message, the session goes on", smtp, defaults,
       kOpen + "ok\r\n" + line_999 + "\r\nafter\r\n.\r\nNOOP\r\n",
       kOpenReplies + "500 5.5.2 Error: message text line longer than 1000 octets\r\n" + kOk, {}, 1},
      {"limit: header block within the limit, long body", smtp,
       limits_with([](ProtocolLimits& l) { l.header_block = 64; }),
       kOpen + "Subject: " + std::string(40, 's') + "\r\n\r\n" + std::string(200, 'b') + "\r\n.\r\n",
       kOpenReplies + kQueued,
       {{kOpenEnvelope, "Subject: " + std::string(40, 's') + "\r\n\r\n" + std::string(200, 'b') + "\r\n"}}},
      {"limit: header block too large", smtp, limits_with([](ProtocolLimits& l) { l.header_block = 64; }),
       kOpen + "Subject: " + std::string(30, 's') + "\r\nX-More: " + std::string(30, 'm') + "\r\n\r\nb\r\n.\r\n",
       kOpenReplies + "552 5.3.4 Error: message header block larger than 64 octets\r\n", {}, 1},
      {"limit: SIZE= at MAIL FROM, equal to the limit and above it", smtp,
       limits_with([](ProtocolLimits& l) { l.message_size = 1000; }),
       "EHLO c\r\nMAIL FROM:<a@b.example> SIZE=1001\r\nMAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME\r\n",
       ehlo_reply(1000) + "552 5.3.4 Message size exceeds fixed limit of 1000 octets\r\n" + kMailOk},
      {"limit: SIZE=10^12 and bad SIZE values", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example> SIZE=1000000000000\r\nMAIL FROM:<a@b.example> SIZE=10^12\r\n"
       "MAIL FROM:<a@b.example> SIZE=\r\nMAIL FROM:<a@b.example> SIZE=999999999999999999999\r\n",
       ehlo_reply() + "552 5.3.4 Message size exceeds fixed limit of 10240000 octets\r\n" +
           "501 5.5.4 Bad SIZE parameter\r\n501 5.5.4 Bad SIZE parameter\r\n501 5.5.4 Bad SIZE parameter\r\n"},
      {"limit: SIZE with 20 digits is too big (552), leading zeros are just zeros", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example> SIZE=99999999999999999999\r\nMAIL FROM:<a@b.example> SIZE=0000000000001\r\n",
       ehlo_reply() + "552 5.3.4 Message size exceeds fixed limit of 10240000 octets\r\n" + kMailOk},
      {"limit: message size while reading, exactly the limit is accepted", smtp,
       limits_with([](ProtocolLimits& l) { l.message_size = 1024; }),
       kOpen + std::string(98, 'a') + "\r\n" + std::string(922, 'b') + "\r\n.\r\n",
       ehlo_reply(1024) + kMailOk + kRcptOk + kGoAhead + kQueued,
       {{kOpenEnvelope, std::string(98, 'a') + "\r\n" + std::string(922, 'b') + "\r\n"}}},
      {"limit: message size while reading, one octet more is rejected", smtp,
       limits_with([](ProtocolLimits& l) { l.message_size = 1024; }),
       kOpen + std::string(98, 'a') + "\r\n" + std::string(923, 'b') + "\r\n.\r\nNOOP\r\n",
       ehlo_reply(1024) + kMailOk + kRcptOk + kGoAhead +
           "552 5.3.4 Error: message size exceeds fixed limit of 1024 octets\r\n" + kOk,
       {}, 1},
      {"limit: recipients (452), the accepted ones still get the message", lmtp,
       limits_with([](ProtocolLimits& l) { l.recipients = 2; }),
       "LHLO mta\r\nMAIL FROM:<r@example.org>\r\nRCPT TO:<cert@csirt.example>\r\nRCPT TO:<abuse@csirt.example>\r\n"
       "RCPT TO:<vuln@csirt.example>\r\nDATA\r\nm\r\n.\r\n",
       ehlo_reply() + kMailOk + kRcptOk + kRcptOk + "452 4.5.3 Error: too many recipients\r\n" + kGoAhead +
           lmtp_queued("cert@csirt.example") + lmtp_queued("abuse@csirt.example"),
       {{"<r@example.org> -> cert@csirt.example/cert abuse@csirt.example/abuse", "m\r\n"}}},
      {"limit: bad commands, configured (3): the 4th gets 421 and the session closes", smtp,
       limits_with([](ProtocolLimits& l) { l.bad_commands = 3; }), "A\r\nB\r\nVRFY x\r\nC\r\nD\r\nNOOP\r\n",
       kUnknownCommand + kUnknownCommand + "502 5.5.1 Error: VRFY is disabled\r\n" + kUnknownCommand +
           kUnknownCommand + kTooManyErrors,
       {}, 0, true},
      // --- Dot-stuffing ------------------------------------------------------------
      {"dot-unstuffing", smtp, defaults,
       kOpen + "..x\r\n..\r\n...\r\n .\r\nx.\r\n.y\r\n.\r\n",
       kOpenReplies + kQueued, {{kOpenEnvelope, ".x\r\n.\r\n..\r\n .\r\nx.\r\ny\r\n"}}},
      {"an empty message", smtp, defaults, kOpen + ".\r\n", kOpenReplies + kQueued, {{kOpenEnvelope, ""}}},
      {"the body keeps binary-ish and 8-bit bytes exactly", smtp, defaults,
       kOpen + "Subject: \xc3\xa4\r\n\r\n\t tab\x7f\xff\r\n\r\n\r\n.\r\n", kOpenReplies + kQueued,
       {{kOpenEnvelope, "Subject: \xc3\xa4\r\n\r\n\t tab\x7f\xff\r\n\r\n\r\n"}}},
      // --- Bare CR / LF in commands -----------------------------------------------
      {"a bare LF ends a command session with 521", smtp, defaults, "NOOP\nNOOP\r\n", kBareNewline, {}, 0, true},
      {"a bare CR ends a command session with 521", smtp, defaults, "NOOP\rNOOP\r\n", kBareNewline, {}, 0, true},
      {"CR CR LF in a command is a bare CR", smtp, defaults, "NOOP\r\r\n", kBareNewline, {}, 0, true},
      // --- Hostile envelope addresses ---------------------------------------------
      {"hostile sender: CR", smtp, defaults, "EHLO c\r\nMAIL FROM:<a\rb@example.org>\r\n" + kSmuggled,
       ehlo_reply() + kBareNewline, {}, 0, true},
      {"hostile sender: LF", smtp, defaults, "EHLO c\r\nMAIL FROM:<a\nRCPT TO:<cert@csirt.example>\r\n",
       ehlo_reply() + kBareNewline, {}, 0, true},
      {"hostile sender: NUL", smtp, defaults, "EHLO c\r\nMAIL FROM:<a\0b@example.org>\r\n"s,
       ehlo_reply() + kControlInCommand},
      {"hostile recipient: NUL", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<cert@csirt.example\0>\r\n"s,
       ehlo_reply() + kMailOk + kControlInCommand},
      {"hostile sender: quotes", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<\"a b\"@example.org>\r\nMAIL FROM:<\"ab\"@example.org>\r\nMAIL FROM:<a\"b@example.org>\r\n",
       ehlo_reply() + bad_sender("control, space or non-ASCII character in address") +
           bad_sender("quoted local parts are not accepted") + bad_sender("character '\"' not accepted in local part")},
      {"hostile recipient: percent hack and bang path", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<victim%elsewhere.example@csirt.example>\r\n"
       "RCPT TO:<elsewhere.example!victim@csirt.example>\r\n",
       ehlo_reply() + kMailOk + bad_recipient("character '%' not accepted in local part") +
           bad_recipient("character '!' not accepted in local part")},
      {"hostile recipient: source route", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<@a.example,@b.example:u@d.example>\r\nMAIL FROM:<>\r\n"
       "RCPT TO:<@a.example,@b.example:cert@csirt.example>\r\n",
       ehlo_reply() + bad_sender("source routes are not accepted") + kMailOk +
           bad_recipient("source routes are not accepted")},
      {"hostile sender: local part of 64 accepted, 65 refused", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<" + too_long_local + "@example.org>\r\nMAIL FROM:<" + long_local + "@example.org>\r\n",
       ehlo_reply() + bad_sender("local part longer than 64 characters") + kMailOk},
      {"hostile sender: domain of 256+ characters", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@" + long_domain + ">\r\n",
       ehlo_reply() + bad_sender("path longer than 256 characters")},
      {"hostile sender: missing <>", smtp, defaults,
       "EHLO c\r\nMAIL FROM:a@example.org\r\nMAIL FROM:<a@example.org\r\nMAIL FROM:\r\n",
       ehlo_reply() + bad_sender("address must be enclosed in <>") + bad_sender("missing '>'") +
           bad_sender("address must be enclosed in <>")},
      {"hostile recipient: unknown parameters", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<> SMTPUTF8\r\nMAIL FROM:<> BODY=BINARYMIME\r\nMAIL FROM:<>\r\n"
       "RCPT TO:<cert@csirt.example> NOTIFY=NEVER\r\nRCPT TO:<>\r\n",
       ehlo_reply() + "555 5.5.4 Unsupported parameter SMTPUTF8\r\n501 5.5.4 Unsupported BODY parameter\r\n" + kMailOk +
           "555 5.5.4 Unsupported parameter NOTIFY\r\n" + bad_recipient("empty address")},
      {"relaying is refused with 550 5.1.1", smtp, defaults,
       "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<victim@elsewhere.example>\r\n"
       "RCPT TO:<cert@csirt.example.elsewhere.example>\r\nRCPT TO:<cert@sub.csirt.example>\r\n",
       ehlo_reply() + kMailOk + relay_denied("victim@elsewhere.example") +
           relay_denied("cert@csirt.example.elsewhere.example") + relay_denied("cert@sub.csirt.example")},
  };

  // The default bad-command limit: 20 are answered, the 21st closes.
  {
    std::string input, replies;
    for (int n = 0; n < 21; ++n) {
      input += "BAD\r\n";
      replies += kUnknownCommand;
    }
    cases.push_back({"limit: bad commands, default (20)", smtp, defaults, input + "NOOP\r\n", replies + kTooManyErrors,
                     {}, 0, true});
  }

  // SMTP smuggling (SECURITY.md): each end-of-data look-alike followed by a second
  // transaction. Bare CR/LF variants: 521 and close. NUL variants: one message,
  // rejected with 554, and the "second transaction" was only message text.
  struct Smuggling {
    const char* name;
    std::string look_alike;
    bool nul;
  };
  const Smuggling smuggling[] = {
      {"\\n.\\n", "\n.\n", false},          {"\\r.\\r", "\r.\r", false},
      {"\\r.\\n", "\r.\n", false},          {"\\n.\\r", "\n.\r", false},
      {"\\n.\\r\\n", "\n.\r\n", false},     {"\\r.\\r\\n", "\r.\r\n", false},
      {"\\r\\n.\\n", "\r\n.\n", false},     {"\\r\\n.\\r", "\r\n.\r", false},
      {"\\r\\n\\0.\\r\\n", "\r\n\0.\r\n"s, true}, {"\\r\\n.\\0\\r\\n", "\r\n.\0\r\n"s, true},
      {"\\r\\n.\\r\\r\\n", "\r\n.\r\r\n", false},
  };
  for (const auto& s : smuggling) {
    for (Protocol protocol : {smtp, lmtp}) {
      const bool is_lmtp = protocol == lmtp;
      TranscriptCase c;
      c.name = std::string(is_lmtp ? "LMTP" : "SMTP") + " smuggling " + s.name;
      c.protocol = protocol;
      c.limits = defaults;
      c.input = (is_lmtp ? kLhloOpen : kOpen) + "From: reporter\r\n\r\nfirst" + s.look_alike + kSmuggled + "QUIT\r\n";
      c.replies = is_lmtp ? kLhloOpenReplies : kOpenReplies;
      if (s.nul) {
        c.replies += kNulInText + kBye;
        c.rejected = 1;
      } else {
        c.replies += kBareNewline;
      }
      c.closed = true;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

TranscriptResult expected_result(const TranscriptCase& c) {
  return {c.replies, c.stored, c.rejected, c.closed};
}

// doctest prints this when a comparison fails.
std::ostream& operator<<(std::ostream& os, const TranscriptResult& r) {
  os << "closed=" << (r.closed ? "yes" : "no") << " rejected=" << r.rejected << "\nreplies:\n" << r.replies;
  for (const auto& m : r.stored) os << "stored: " << m.envelope << " body[" << m.body.size() << "]=" << m.body << "\n";
  return os;
}

}  // namespace

TEST_CASE("protocol session: golden transcripts") {
  for (const auto& c : transcript_cases()) {
    SUBCASE(c.name.c_str()) {
      CHECK(run_whole(c.protocol, c.limits, c.input, c.outcome) == expected_result(c));
    }
  }
}

TEST_CASE("protocol session: results do not depend on how the input is split") {
  for (const auto& c : transcript_cases()) {
    SUBCASE(c.name.c_str()) {
      const TranscriptResult whole = run_whole(c.protocol, c.limits, c.input, c.outcome);
      std::vector<std::string> bytes;
      for (char ch : c.input) bytes.emplace_back(1, ch);
      CHECK(run_chunks(c.protocol, c.limits, bytes, c.outcome) == whole);
      std::size_t mismatches = 0;
      std::size_t first_mismatch = 0;
      for (std::size_t split = 0; split <= c.input.size(); ++split) {
        const auto r = run_chunks(c.protocol, c.limits, {c.input.substr(0, split), c.input.substr(split)}, c.outcome);
        if (!(r == whole) && mismatches++ == 0) first_mismatch = split;
      }
      INFO("first differing split position: " << first_mismatch);
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("protocol session: smuggling never yields a second message") {
  for (const auto& c : transcript_cases()) {
    if (c.name.find("smuggling") == std::string::npos) continue;
    SUBCASE(c.name.c_str()) {
      const auto r = run_whole(c.protocol, c.limits, c.input);
      CHECK(r.stored.empty());
      CHECK(r.stored.size() + static_cast<std::size_t>(r.rejected) <= 1);
      CHECK(r.replies.find("\r\n5") != std::string::npos);
      CHECK(r.replies.find("smuggled") == std::string::npos);
      // The smuggled recipient never got a reply of its own.
      CHECK(r.replies.find("abuse@csirt.example") == std::string::npos);
      const auto ones = run_chunks(c.protocol, c.limits, [&] {
        std::vector<std::string> v;
        for (char ch : c.input) v.emplace_back(1, ch);
        return v;
      }());
      CHECK(ones == r);
    }
  }
}

TEST_CASE("protocol session: greeting and fixed replies") {
  const ProtocolLimits limits;
  struct Row {
    Protocol protocol;
    std::string greeting;
  };
  const Row rows[] = {{Protocol::smtp, "220 gw.test ESMTP csirtgw\r\n"}, {Protocol::lmtp, "220 gw.test LMTP csirtgw\r\n"}};
  for (const auto& row : rows) {
    ProtocolSession session(row.protocol, limits, test_intake_lookup, kHost);
    CHECK(session.greeting() == row.greeting);
    CHECK(session.timeout_reply() == "421 4.4.2 gw.test Error: timeout exceeded\r\n");
    CHECK(session.shutdown_reply() == "421 4.3.2 gw.test Service shutting down, try again later\r\n");
    CHECK(session.too_many_connections_reply() == "421 4.7.0 gw.test Error: too many connections, try again later\r\n");
    CHECK_FALSE(session.in_data());
  }
}

TEST_CASE("protocol session: state visible to the caller") {
  ProtocolSession session(Protocol::smtp, ProtocolLimits{}, test_intake_lookup, kHost);
  std::string replies, body;
  const std::string open = kOpen;
  auto step = session.feed(open, replies, body);
  CHECK(step.event == SessionEvent::data_started);
  CHECK(step.consumed == open.size());
  CHECK(session.in_data());

  SUBCASE("header block, envelope and the store handshake") {
    const std::string message = "Message-ID: <1@x>\r\nSubject: s\r\n\r\nbody\r\n.\r\nNOOP\r\n";
    step = session.feed(message, replies, body);
    CHECK(step.event == SessionEvent::message_complete);
    CHECK(step.consumed == message.size() - 6);  // stops right after the end of data
    CHECK(body == "Message-ID: <1@x>\r\nSubject: s\r\n\r\nbody\r\n");
    CHECK(session.header_block() == "Message-ID: <1@x>\r\nSubject: s\r\n\r\n");
    CHECK(session.envelope().sender == "reporter@example.org");
    CHECK(session.envelope().helo == "client.test");
    REQUIRE(session.envelope().recipients.size() == 1);
    CHECK(session.envelope().recipients[0].intake == "cert");
    CHECK_FALSE(session.in_data());

    // Until message_stored() is called, more input is not consumed.
    const auto again = session.feed("NOOP\r\n", replies, body);
    CHECK(again.consumed == 0);
    CHECK(again.event == SessionEvent::message_complete);

    replies.clear();
    session.message_stored(StoreOutcome::stored, "SPOOL1", replies);
    CHECK(replies == "250 2.0.0 Ok: queued as SPOOL1\r\n");
    CHECK(session.envelope().recipients.empty());
    // A second call is ignored: one reply per message.
    session.message_stored(StoreOutcome::stored, "SPOOL1", replies);
    CHECK(replies == "250 2.0.0 Ok: queued as SPOOL1\r\n");

    replies.clear();
    step = session.feed("NOOP\r\n", replies, body);
    CHECK(step.event == SessionEvent::none);
    CHECK(replies == kOk);
  }
  SUBCASE("after close everything is swallowed") {
    step = session.feed("x\n", replies, body);
    CHECK(step.event == SessionEvent::close);
    replies.clear();
    step = session.feed("MAIL FROM:<>\r\n", replies, body);
    CHECK(step.event == SessionEvent::close);
    CHECK(step.consumed == 14);
    CHECK(replies.empty());
  }
}

TEST_CASE("protocol session: the recipient limit at its default (100)") {
  std::string input = "LHLO mta\r\nMAIL FROM:<>\r\n";
  std::string replies = ehlo_reply() + kMailOk;
  for (int n = 0; n < 100; ++n) {
    input += "RCPT TO:<cert@csirt.example>\r\n";
    replies += kRcptOk;
  }
  input += "RCPT TO:<abuse@csirt.example>\r\nDATA\r\n.\r\n";
  replies += "452 4.5.3 Error: too many recipients\r\n" + kGoAhead;
  for (int n = 0; n < 100; ++n) replies += lmtp_queued("cert@csirt.example");
  const auto r = run_whole(Protocol::lmtp, ProtocolLimits{}, input);
  CHECK(r.replies == replies);
  CHECK(r.stored.size() == 1);
}

// RFC 2033 4.2: "If there were no successful RCPT commands in the mail
// transaction, the DATA command MUST fail with a 503 reply code."
TEST_CASE("protocol session: LMTP DATA without a successful RCPT is 503") {
  const auto r = run_whole(Protocol::lmtp, ProtocolLimits{},
                           "LHLO mta\r\nMAIL FROM:<>\r\nRCPT TO:<x@elsewhere.example>\r\nDATA\r\n");
  CHECK(r.replies == ehlo_reply() + kMailOk + relay_denied("x@elsewhere.example") +
                         "503 5.5.1 Error: no valid recipients\r\n");
}

// RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including CRLF, "not
// counting the leading dot duplicated for transparency". A 1000-octet line that
// starts with a dot is legal and arrives as 1001 octets on the wire.
TEST_CASE("protocol session: the stuffed dot does not count against the text line limit") {
  const std::string line = "." + std::string(997, 'x');  // 998 octets + CRLF = 1000
  const auto r = run_whole(Protocol::smtp, ProtocolLimits{}, kOpen + "." + line + "\r\n.\r\n");
  CHECK(r.replies == kOpenReplies + kQueued);
  REQUIRE(r.stored.size() == 1);
  CHECK(r.stored[0].body == line + "\r\n");
}

}  // namespace csirtgw
