// The outbound SMTP conversation as a state machine (smtp_dialogue.h).
#include "smtp_dialogue.h"

#include "smtp_payload.h"

namespace csirtgw {

SmtpDialogue::SmtpDialogue(const std::string& helo_name, const std::vector<OutgoingMail>& mails)
    : helo_name_(helo_name), mails_(mails) {}

std::string SmtpDialogue::on_reply(const SmtpReply& reply, std::vector<MailResult>& results) {
  const std::string summary = reply_summary(reply);
  const int kind = reply.kind();
  // RFC 5321 3.8: 421 means the server is closing the channel, whatever the
  // command was; nothing more can be sent, not even QUIT.
  if (reply.code == 421 && phase_ != Phase::quit && phase_ != Phase::done) {
    on_failure(session_step_prefix() + summary, results);
    return {};
  }
  switch (phase_) {
    case Phase::greeting:
      if (kind != 2) return give_up(session_step_prefix() + summary, results);
      phase_ = Phase::ehlo;
      return "EHLO " + helo_name_ + "\r\n";
    case Phase::ehlo:
      if (kind == 2) return next_mail(results);
      if (kind != 5) return give_up(session_step_prefix() + summary, results);
      phase_ = Phase::helo;  // RFC 5321 3.2: an old server that knows only HELO
      return "HELO " + helo_name_ + "\r\n";
    case Phase::helo:
      if (kind != 2) return give_up(session_step_prefix() + summary, results);
      return next_mail(results);
    case Phase::mail:
      if (kind != 2) return refused(reply, results);
      phase_ = Phase::rcpt;
      return "RCPT TO:<" + mails_[resolved_].recipient + ">\r\n";
    case Phase::rcpt:
      if (kind != 2) return refused(reply, results);
      phase_ = Phase::data;
      return "DATA\r\n";
    case Phase::data:
      if (kind != 3) return refused(reply, results);
      phase_ = Phase::dot;
      return dot_stuffed_data(mails_[resolved_].data);
    case Phase::dot:
      // No RSET after the final reply: it ends the transaction either way.
      if (kind == 2) resolve(DeliveryOutcome::accepted, summary, results);
      else if (kind == 4) resolve(DeliveryOutcome::temporary, summary, results);
      else if (kind == 5) resolve(DeliveryOutcome::permanent, summary, results);
      else return give_up("protocol error: " + summary + " after the final dot", results);
      return next_mail(results);
    case Phase::rset:
      if (kind != 2) return give_up(session_step_prefix() + summary, results);
      return next_mail(results);
    case Phase::quit:
      phase_ = Phase::done;
      return {};
    case Phase::done:
      break;
  }
  return {};
}

void SmtpDialogue::on_failure(std::string_view reason, std::vector<MailResult>& results) {
  while (resolved_ < mails_.size()) resolve(DeliveryOutcome::temporary, reason, results);
  phase_ = Phase::done;
}

std::string SmtpDialogue::next_mail(std::vector<MailResult>& results) {
  // Defence in depth: the caller validates recipients, but one that would
  // break the command line is refused here without being sent.
  while (resolved_ < mails_.size()) {
    const auto problem = rcpt_address_problem(mails_[resolved_].recipient);
    if (!problem) break;
    resolve(DeliveryOutcome::permanent, "refused locally: " + *problem, results);
  }
  if (resolved_ == mails_.size()) {
    phase_ = Phase::quit;
    return "QUIT\r\n";
  }
  phase_ = Phase::mail;
  // The null reverse-path: an acknowledgement is an automatic response, and
  // nothing must answer it in turn (RFC 3834 3.3, RFC 5321 4.5.5).
  return "MAIL FROM:<>\r\n";
}

std::string SmtpDialogue::refused(const SmtpReply& reply, std::vector<MailResult>& results) {
  const std::string summary = reply_summary(reply);
  if (reply.kind() == 4) {
    resolve(DeliveryOutcome::temporary, summary, results);
  } else if (reply.kind() == 5) {
    resolve(DeliveryOutcome::permanent, summary, results);
  } else {
    // 2xx to DATA or 3xx to MAIL/RCPT: the two sides no longer agree on where
    // the transaction is, so nothing more is sent in it.
    return give_up("protocol error: unexpected " + summary + " in reply to " + std::string(sending()), results);
  }
  phase_ = Phase::rset;
  return "RSET\r\n";
}

std::string SmtpDialogue::give_up(std::string_view reason, std::vector<MailResult>& results) {
  // A refusing greeting or EHLO is the smarthost's problem (misconfigured,
  // overloaded), not the mails': they stay temporary, whatever the code.
  while (resolved_ < mails_.size()) resolve(DeliveryOutcome::temporary, reason, results);
  phase_ = Phase::quit;
  return "QUIT\r\n";
}

void SmtpDialogue::resolve(DeliveryOutcome outcome, std::string_view reply, std::vector<MailResult>& results) {
  results.push_back({resolved_, {outcome, one_printable_line(reply)}});
  ++resolved_;
}

std::string SmtpDialogue::session_step_prefix() const {
  switch (phase_) {
    case Phase::greeting: return "greeting: ";
    case Phase::ehlo: return "EHLO: ";
    case Phase::helo: return "HELO: ";
    case Phase::rset: return "RSET: ";
    default: return {};  // a mail's own step: the reply speaks for itself
  }
}

std::string_view SmtpDialogue::awaiting() const {
  switch (phase_) {
    case Phase::greeting: return "the greeting";
    case Phase::ehlo: return "the EHLO reply";
    case Phase::helo: return "the HELO reply";
    case Phase::mail: return "the MAIL FROM reply";
    case Phase::rcpt: return "the RCPT TO reply";
    case Phase::data: return "the DATA reply";
    case Phase::dot: return "the reply to the final dot";
    case Phase::rset: return "the RSET reply";
    case Phase::quit: return "the QUIT reply";
    case Phase::done: break;
  }
  return "nothing";
}

std::string_view SmtpDialogue::sending() const {
  switch (phase_) {
    case Phase::ehlo: return "EHLO";
    case Phase::helo: return "HELO";
    case Phase::mail: return "MAIL FROM";
    case Phase::rcpt: return "RCPT TO";
    case Phase::data: return "DATA";
    case Phase::dot: return "the message data";
    case Phase::rset: return "RSET";
    case Phase::quit: return "QUIT";
    case Phase::greeting:
    case Phase::done: break;
  }
  return "nothing";
}

}  // namespace csirtgw
