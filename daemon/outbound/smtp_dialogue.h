// The outbound SMTP client's side of the conversation (RFC 5321), as a state
// machine: it is fed the server's replies and answers with the next bytes to
// send and with each mail's result. It does no I/O; daemon/outbound/smtp_client.cpp moves
// the bytes and keeps time, and tests feed it replies as plain values.
//
// One command at a time (no PIPELINING), so a mail's result is known, and
// handed out, before the next mail's MAIL FROM is sent. It must never give a
// mail two results or none: a mail is resolved exactly once, in order, either
// by a reply or by on_failure().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "smtp_reply.h"

namespace csirtgw {

// One message to send: the whole RFC 5322 text with CRLF line ends, not dot-stuffed.
struct OutgoingMail {
  std::string recipient;
  std::string data;
};

enum class DeliveryOutcome {
  accepted,   // 2xx after the final dot: the smarthost has it
  temporary,  // 4xx, or the session failed: try again later
  permanent,  // 5xx at MAIL / RCPT / DATA / the final dot, or refused locally
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::temporary;
  // The server's reply ("250 2.0.0 Ok: queued as X") or, for a session-wide
  // failure, what went wrong ("greeting: 421 ...", "connect 127.0.0.1:25:
  // Connection refused"). One line of printable ASCII, at most 200 octets.
  std::string reply;
};

struct MailResult {
  std::size_t index = 0;  // into the mails the dialogue was given
  DeliveryResult result;
};

class SmtpDialogue {
 public:
  // Keeps references to helo_name and mails: both must outlive the dialogue.
  SmtpDialogue(const std::string& helo_name, const std::vector<OutgoingMail>& mails);

  // Takes the reply to what was sent last (first: the greeting); appends the
  // results it settles and returns what to send next (empty: nothing).
  std::string on_reply(const SmtpReply& reply, std::vector<MailResult>& results);

  // The connection failed, timed out or sent garbage: every mail without a
  // result gets `temporary` with reason. The dialogue is then finished.
  void on_failure(std::string_view reason, std::vector<MailResult>& results);

  // No reply is expected any more: close the connection.
  bool finished() const { return phase_ == Phase::done; }

  // For error messages: "the DATA reply", and what was last sent ("RCPT TO").
  std::string_view awaiting() const;
  std::string_view sending() const;

 private:
  enum class Phase { greeting, ehlo, helo, mail, rcpt, data, dot, rset, quit, done };

  std::string next_mail(std::vector<MailResult>& results);
  std::string refused(const SmtpReply& reply, std::vector<MailResult>& results);
  std::string give_up(std::string_view reason, std::vector<MailResult>& results);
  std::string session_step_prefix() const;
  void resolve(DeliveryOutcome outcome, std::string_view reply, std::vector<MailResult>& results);

  const std::string& helo_name_;
  const std::vector<OutgoingMail>& mails_;
  Phase phase_ = Phase::greeting;
  std::size_t resolved_ = 0;  // mails [0, resolved_) have their result; the next one is current
};

}  // namespace csirtgw
