// The SMTP/LMTP state machine, without I/O (protocol_session.h).
#include "ascii_case.h"
#include "protocol_session.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "envelope_address.h"

namespace csirtgw {
namespace {

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
}

std::string crlf(std::string line) { return line + "\r\n"; }

}  // namespace

ProtocolSession::ProtocolSession(Protocol protocol, ProtocolLimits limits, IntakeLookup lookup,
                                 std::string hostname)
    : protocol_(protocol), limits_(limits), lookup_(std::move(lookup)), hostname_(std::move(hostname)) {}

std::string ProtocolSession::greeting() const {
  return crlf("220 " + hostname_ + (protocol_ == Protocol::lmtp ? " LMTP" : " ESMTP") + " csirtgw");
}

std::string ProtocolSession::timeout_reply() const {
  return crlf("421 4.4.2 " + hostname_ + " Error: timeout exceeded");
}

std::string ProtocolSession::shutdown_reply() const {
  return crlf("421 4.3.2 " + hostname_ + " Service shutting down, try again later");
}

std::string ProtocolSession::too_many_connections_reply() const {
  return crlf("421 4.7.0 " + hostname_ + " Error: too many connections, try again later");
}

ProtocolSession::FeedResult ProtocolSession::feed(std::string_view input, std::string& replies,
                                                  std::string& body) {
  switch (state_) {
    case State::closed: return {input.size(), SessionEvent::close};
    case State::awaiting_store: return {0, SessionEvent::message_complete};  // caller must store first
    case State::data: return feed_data(input, replies, body);
    default: return feed_command(input, replies);
  }
}

SessionEvent ProtocolSession::bare_newline(std::string& replies) {
  // SMTP smuggling defence: a bare CR or LF makes the stream ambiguous, so the
  // session ends here; nothing after it can become a second message.
  replies += crlf("521 5.5.2 " + hostname_ + " Error: bare CR or LF received; line ends must be CRLF");
  state_ = State::closed;
  return SessionEvent::close;
}

ProtocolSession::FeedResult ProtocolSession::feed_command(std::string_view input, std::string& replies) {
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i++];
    if (command_saw_cr_) {
      command_saw_cr_ = false;
      if (c != '\n') return {i, bare_newline(replies)};
      std::string line = std::exchange(line_, {});
      SessionEvent event;
      if (std::exchange(line_too_long_, false)) {
        event = bad_command(crlf("500 5.5.2 Error: command line longer than " +
                                 std::to_string(limits_.command_line) + " octets"),
                            replies);
      } else {
        event = handle_command(line, replies);
      }
      if (event != SessionEvent::none) return {i, event};
      continue;
    }
    if (c == '\r') {
      command_saw_cr_ = true;
    } else if (c == '\n') {
      return {i, bare_newline(replies)};
    } else if (line_.size() + 1 + 2 > limits_.command_line) {
      line_too_long_ = true;  // keep discarding until CRLF, then answer once
    } else {
      line_.push_back(c);
    }
  }
  return {i, SessionEvent::none};
}

SessionEvent ProtocolSession::bad_command(std::string reply, std::string& replies) {
  replies += reply;
  if (++bad_commands_ > limits_.bad_commands) {
    replies += crlf("421 4.7.0 " + hostname_ + " Error: too many errors");
    state_ = State::closed;
    return SessionEvent::close;
  }
  return SessionEvent::none;
}

SessionEvent ProtocolSession::handle_command(std::string_view line, std::string& replies) {
  auto space = line.find(' ');
  std::string_view verb = line.substr(0, space);
  std::string_view argument = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);

  if (!printable_ascii(line)) return bad_command(crlf("500 5.5.2 Error: control or non-ASCII character in command"), replies);

  const bool lmtp = protocol_ == Protocol::lmtp;
  if (ascii_iequals(verb, lmtp ? "LHLO" : "EHLO") || (!lmtp && ascii_iequals(verb, "HELO"))) {
    if (argument.empty()) return bad_command(crlf("501 5.5.4 Syntax: " + std::string(verb) + " hostname"), replies);
    cmd_hello(verb, argument, replies);
    return SessionEvent::none;
  }
  if (ascii_iequals(verb, "HELO") || ascii_iequals(verb, "EHLO") || ascii_iequals(verb, "LHLO"))
    return bad_command(crlf(lmtp ? "500 5.5.1 Error: this is an LMTP server, use LHLO"
                                 : "500 5.5.1 Error: this is an SMTP server, use EHLO"),
                       replies);
  if (ascii_iequals(verb, "QUIT")) {
    replies += crlf("221 2.0.0 Bye");
    state_ = State::closed;
    return SessionEvent::close;
  }
  if (ascii_iequals(verb, "NOOP")) {
    replies += crlf("250 2.0.0 Ok");
    return SessionEvent::none;
  }
  if (ascii_iequals(verb, "RSET")) {
    if (!argument.empty()) return bad_command(crlf("501 5.5.4 Syntax: RSET"), replies);
    reset_transaction();
    replies += crlf("250 2.0.0 Ok");
    return SessionEvent::none;
  }
  if (ascii_iequals(verb, "VRFY") || ascii_iequals(verb, "EXPN")) {
    // Never confirm or expand addresses: they are an address-harvesting oracle.
    replies += crlf("502 5.5.1 Error: " + std::string(verb) + " is disabled");
    return SessionEvent::none;
  }
  if (ascii_iequals(verb, "HELP")) {
    replies += crlf("214 2.0.0 Commands: " + std::string(lmtp ? "LHLO" : "HELO EHLO") +
                    " MAIL RCPT DATA RSET NOOP QUIT");
    return SessionEvent::none;
  }
  if (ascii_iequals(verb, "MAIL")) {
    if (state_ == State::greeting) return bad_command(crlf("503 5.5.1 Error: send " + std::string(lmtp ? "LHLO" : "EHLO/HELO") + " first"), replies);
    if (state_ != State::ready) return bad_command(crlf("503 5.5.1 Error: nested MAIL command"), replies);
    if (!ascii_istarts_with(argument, "FROM:")) return bad_command(crlf("501 5.5.4 Syntax: MAIL FROM:<address>"), replies);
    cmd_mail(argument.substr(5), replies);
    return state_ == State::closed ? SessionEvent::close : SessionEvent::none;
  }
  if (ascii_iequals(verb, "RCPT")) {
    if (state_ != State::mail && state_ != State::rcpt) return bad_command(crlf("503 5.5.1 Error: need MAIL command"), replies);
    if (!ascii_istarts_with(argument, "TO:")) return bad_command(crlf("501 5.5.4 Syntax: RCPT TO:<address>"), replies);
    cmd_rcpt(argument.substr(3), replies);
    return state_ == State::closed ? SessionEvent::close : SessionEvent::none;
  }
  if (ascii_iequals(verb, "DATA")) return cmd_data(argument, replies);
  if (ascii_iequals(verb, "STARTTLS") || ascii_iequals(verb, "AUTH") || ascii_iequals(verb, "BDAT") || ascii_iequals(verb, "ETRN") ||
      ascii_iequals(verb, "TURN") || ascii_iequals(verb, "ATRN"))
    return bad_command(crlf("502 5.5.1 Error: command not implemented"), replies);
  return bad_command(crlf("500 5.5.2 Error: command not recognized"), replies);
}

void ProtocolSession::cmd_hello(std::string_view verb, std::string_view argument, std::string& replies) {
  reset_transaction();
  envelope_.helo = std::string(argument.substr(0, 255));
  state_ = State::ready;
  if (ascii_iequals(verb, "HELO")) {
    replies += crlf("250 " + hostname_);
    return;
  }
  replies += crlf("250-" + hostname_);
  replies += crlf("250-PIPELINING");
  replies += crlf("250-SIZE " + std::to_string(limits_.message_size));
  replies += crlf("250-8BITMIME");
  replies += crlf("250 ENHANCEDSTATUSCODES");
}

void ProtocolSession::cmd_mail(std::string_view argument, std::string& replies) {
  auto path = parse_envelope_path(argument, /*allow_null_path=*/true);
  if (!path) {
    bad_command(crlf("501 5.1.7 Bad sender address syntax: " + path.error().message), replies);
    return;
  }
  for (const auto& [key, value] : path->parameters) {
    if (key == "SIZE") {
      // RFC 1870: up to 20 digits; anything that does not fit in 18 is too big anyway.
      if (value.empty() || value.size() > 20 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        bad_command(crlf("501 5.5.4 Bad SIZE parameter"), replies);
        return;
      }
      const auto digits = value.substr(std::min(value.find_first_not_of('0'), value.size()));
      if (digits.size() > 18 || (!digits.empty() && std::stoull(digits) > limits_.message_size)) {
        replies += crlf("552 5.3.4 Message size exceeds fixed limit of " + std::to_string(limits_.message_size) + " octets");
        return;
      }
    } else if (key == "BODY") {
      if (!ascii_iequals(value, "7BIT") && !ascii_iequals(value, "8BITMIME")) {
        bad_command(crlf("501 5.5.4 Unsupported BODY parameter"), replies);
        return;
      }
    } else {
      bad_command(crlf("555 5.5.4 Unsupported parameter " + key), replies);
      return;
    }
  }
  envelope_.sender = path->address;
  envelope_.recipients.clear();
  state_ = State::mail;
  replies += crlf("250 2.1.0 Ok");
}

void ProtocolSession::cmd_rcpt(std::string_view argument, std::string& replies) {
  auto path = parse_envelope_path(argument, /*allow_null_path=*/false);
  if (!path) {
    bad_command(crlf("501 5.1.3 Bad recipient address syntax: " + path.error().message), replies);
    return;
  }
  if (!path->parameters.empty()) {
    bad_command(crlf("555 5.5.4 Unsupported parameter " + path->parameters.front().first), replies);
    return;
  }
  if (envelope_.recipients.size() >= limits_.recipients) {
    replies += crlf("452 4.5.3 Error: too many recipients");
    return;
  }
  auto intake = lookup_(path->address);
  if (!intake) {
    // No relaying, ever: only the configured intake addresses exist here.
    bad_command(crlf("550 5.1.1 <" + path->address + ">: Recipient address rejected: not an intake address of this gateway"),
                replies);
    return;
  }
  envelope_.recipients.push_back({path->address, *intake});
  state_ = State::rcpt;
  replies += crlf("250 2.1.5 Ok");
}

SessionEvent ProtocolSession::cmd_data(std::string_view argument, std::string& replies) {
  if (!argument.empty()) return bad_command(crlf("501 5.5.4 Syntax: DATA"), replies);
  if (state_ == State::mail)  // RFC 2033 4.2 wants 503 in LMTP; SMTP servers say 554 (RFC 5321 3.3)
    return bad_command(crlf(protocol_ == Protocol::lmtp ? "503 5.5.1 Error: no valid recipients"
                                                         : "554 5.5.1 Error: no valid recipients"),
                       replies);
  if (state_ != State::rcpt) return bad_command(crlf("503 5.5.1 Error: need RCPT command"), replies);
  replies += crlf("354 End data with <CR><LF>.<CR><LF>");
  state_ = State::data;
  data_pos_ = DataPos::line_start;
  line_octets_ = 0;
  message_octets_ = 0;
  in_headers_ = true;
  header_block_.clear();
  fault_ = DataFault::none;
  return SessionEvent::data_started;
}

ProtocolSession::FeedResult ProtocolSession::feed_data(std::string_view input, std::string& replies,
                                                       std::string& body) {
  std::size_t i = 0;
  // Appends message bytes; `line_text` is false for the CRLF that ends a line.
  auto emit = [&](std::string_view bytes, bool line_text) {
    if (line_text) line_octets_ += bytes.size();
    if (fault_ != DataFault::none) return;
    if (line_octets_ + 2 > limits_.text_line) {
      fault_ = DataFault::text_line;
      return;
    }
    message_octets_ += bytes.size();
    if (message_octets_ > limits_.message_size) {
      fault_ = DataFault::message_size;
      return;
    }
    if (in_headers_) {
      if (header_block_.size() + bytes.size() > limits_.header_block) {
        fault_ = DataFault::header_block;
        return;
      }
      header_block_.append(bytes);
    }
    body.append(bytes);
  };

  while (i < input.size()) {
    const char c = input[i];
    switch (data_pos_) {
      case DataPos::line_start:
      case DataPos::in_line: {
        if (c == '\n') return {i + 1, bare_newline(replies)};
        if (c == '\r') {
          before_cr_ = data_pos_;
          data_pos_ = DataPos::cr;
          ++i;
          break;
        }
        if (c == '.' && data_pos_ == DataPos::line_start) {
          // RFC 5321 4.5.3.1.6: the limit does not count the dot added for transparency.
          data_pos_ = DataPos::dot;
          ++i;
          break;
        }
        // A run of ordinary bytes up to the next CR, LF or NUL.
        std::size_t end = i;
        while (end < input.size() && input[end] != '\r' && input[end] != '\n' && input[end] != '\0') ++end;
        if (end == i) {  // NUL: refused after the end of data (no BINARYMIME here)
          if (fault_ == DataFault::none) fault_ = DataFault::nul;
          end = i + 1;
        }
        emit(input.substr(i, end - i), true);
        data_pos_ = DataPos::in_line;
        i = end;
        break;
      }
      case DataPos::dot:
        if (c == '\r') {
          data_pos_ = DataPos::dot_cr;
          ++i;
        } else if (c == '\n') {
          return {i + 1, bare_newline(replies)};
        } else {
          data_pos_ = DataPos::in_line;  // dot-unstuffing: the leading dot is dropped
        }
        break;
      case DataPos::dot_cr:
        if (c != '\n') return {i + 1, bare_newline(replies)};
        return {i + 1, finish_data(replies)};
      case DataPos::cr: {
        if (c != '\n') return {i + 1, bare_newline(replies)};
        const bool empty_line = before_cr_ == DataPos::line_start;
        emit("\r\n", false);
        if (empty_line && in_headers_) in_headers_ = false;
        data_pos_ = DataPos::line_start;
        line_octets_ = 0;
        ++i;
        break;
      }
    }
  }
  return {i, SessionEvent::none};
}

SessionEvent ProtocolSession::finish_data(std::string& replies) {
  std::string reply;
  switch (fault_) {
    case DataFault::none:
      state_ = State::awaiting_store;
      return SessionEvent::message_complete;
    case DataFault::text_line:
      reply = "500 5.5.2 Error: message text line longer than " + std::to_string(limits_.text_line) + " octets";
      break;
    case DataFault::header_block:
      reply = "552 5.3.4 Error: message header block larger than " + std::to_string(limits_.header_block) + " octets";
      break;
    case DataFault::message_size:
      reply = "552 5.3.4 Error: message size exceeds fixed limit of " + std::to_string(limits_.message_size) + " octets";
      break;
    case DataFault::nul:
      reply = "554 5.6.0 Error: NUL character in message text";
      break;
  }
  reply_per_recipient(crlf(reply), replies);
  reset_transaction();
  return SessionEvent::message_rejected;
}

void ProtocolSession::reply_per_recipient(const std::string& reply, std::string& replies) {
  // LMTP (RFC 2033 4.2): one reply per accepted recipient, in RCPT order.
  const std::size_t count = protocol_ == Protocol::lmtp ? envelope_.recipients.size() : 1;
  for (std::size_t n = 0; n < count; ++n) replies += reply;
}

void ProtocolSession::message_stored(StoreOutcome outcome, std::string_view spool_id, std::string& replies) {
  if (state_ != State::awaiting_store) return;
  if (outcome == StoreOutcome::temporary_failure) {
    reply_per_recipient(crlf("451 4.3.0 Error: could not store the message safely, try again later"), replies);
  } else if (protocol_ == Protocol::lmtp) {
    for (const auto& rcpt : envelope_.recipients)
      replies += crlf("250 2.0.0 <" + rcpt.address + "> Ok: queued as " + std::string(spool_id));
  } else {
    replies += crlf("250 2.0.0 Ok: queued as " + std::string(spool_id));
  }
  reset_transaction();
}

void ProtocolSession::reset_transaction() {
  envelope_.sender.clear();
  envelope_.recipients.clear();
  header_block_.clear();
  if (state_ != State::greeting && state_ != State::closed) state_ = State::ready;
}

}  // namespace csirtgw
