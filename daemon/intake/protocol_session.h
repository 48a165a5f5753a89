// The SMTP (RFC 5321) / LMTP (RFC 2033) server state machine. It does no I/O:
// it is fed bytes and answers with reply text, message body bytes and events, so
// it is tested with plain strings (tests/unit/daemon/intake/protocol_session_test.cpp).
//
// It must never: end DATA on anything but <CRLF>.<CRLF>; accept a bare CR or LF
// (SMTP smuggling, CVE-2023-51764 class: it answers 521 and closes instead); let a
// recipient through that is not one of the configured intakes (no relaying).
// Results do not depend on how the input is split into chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope_address.h"

namespace csirtgw {

enum class Protocol { smtp, lmtp };

struct ProtocolLimits {
  std::size_t command_line = 512;   // octets incl. CRLF
  std::size_t text_line = 1000;     // octets incl. CRLF
  std::size_t header_block = 102400;
  std::size_t message_size = 10240000;
  std::size_t recipients = 100;
  std::size_t bad_commands = 20;    // then 421 and close
};

// What the caller must do before feeding more input.
enum class SessionEvent {
  none,              // all input consumed; read more
  data_started,      // DATA accepted: prepare to receive body bytes
  message_complete,  // end of data: store the message, then call message_stored()
  message_rejected,  // the message was refused (its replies are written): drop body bytes
  close,             // write the replies, then close the connection
};

enum class StoreOutcome { stored, duplicate, temporary_failure };

class ProtocolSession {
 public:
  // Maps an envelope recipient to its intake name; nullopt: not served here.
  using IntakeLookup = std::function<std::optional<std::string>(std::string_view)>;

  ProtocolSession(Protocol protocol, ProtocolLimits limits, IntakeLookup lookup, std::string hostname);

  std::string greeting() const;

  struct FeedResult {
    std::size_t consumed = 0;
    SessionEvent event = SessionEvent::none;
  };
  // Consumes input up to the next event; appends replies and (unstuffed) body bytes.
  FeedResult feed(std::string_view input, std::string& replies, std::string& body);

  // The envelope of the message just completed.
  const Envelope& envelope() const { return envelope_; }
  // The message's header block as received (bounded by limits.header_block).
  const std::string& header_block() const { return header_block_; }

  // Answers the end of DATA once the caller has stored (or failed to store) it.
  void message_stored(StoreOutcome outcome, std::string_view spool_id, std::string& replies);

  std::string timeout_reply() const;
  std::string shutdown_reply() const;
  std::string too_many_connections_reply() const;

  bool in_data() const { return state_ == State::data; }

 private:
  enum class State { greeting, ready, mail, rcpt, data, awaiting_store, closed };
  enum class DataFault { none, text_line, header_block, message_size, nul };

  FeedResult feed_command(std::string_view input, std::string& replies);
  FeedResult feed_data(std::string_view input, std::string& replies, std::string& body);
  SessionEvent handle_command(std::string_view line, std::string& replies);
  SessionEvent bad_command(std::string reply, std::string& replies);
  SessionEvent bare_newline(std::string& replies);
  SessionEvent finish_data(std::string& replies);
  void reply_per_recipient(const std::string& reply, std::string& replies);
  void reset_transaction();
  void cmd_hello(std::string_view verb, std::string_view argument, std::string& replies);
  void cmd_mail(std::string_view argument, std::string& replies);
  void cmd_rcpt(std::string_view argument, std::string& replies);
  SessionEvent cmd_data(std::string_view argument, std::string& replies);

  Protocol protocol_;
  ProtocolLimits limits_;
  IntakeLookup lookup_;
  std::string hostname_;
  State state_ = State::greeting;
  Envelope envelope_;
  std::size_t bad_commands_ = 0;

  // Command line assembly.
  std::string line_;
  bool line_too_long_ = false;
  bool command_saw_cr_ = false;

  // DATA scanning state.
  enum class DataPos { line_start, in_line, dot, dot_cr, cr };
  DataPos data_pos_ = DataPos::line_start;
  DataPos before_cr_ = DataPos::in_line;
  std::size_t line_octets_ = 0;
  std::size_t message_octets_ = 0;
  bool in_headers_ = true;
  std::string header_block_;
  DataFault fault_ = DataFault::none;
};

}  // namespace csirtgw
