// The outbound SMTP client: sends acknowledgements to the configured smarthost
// on Boost.Asio C++20 coroutines. This layer only connects, moves bytes and
// keeps time; what to say is SmtpDialogue's (smtp_dialogue.h).
//
// Plain SMTP only: the smarthost is on loopback or a trusted network, and
// STARTTLS is out of scope for this client.
//
// It must never hang on a silent or dribbling server (every step has a
// deadline), never throw, and never leave a mail without exactly one result.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>  // before awaitable.hpp: Boost 1.74's uses std::exchange without it
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "smtp_dialogue.h"

namespace csirtgw {

struct SmtpTarget {
  std::string host;       // name or address, resolved with the system resolver
  std::string port;       // "25" or a service name
  std::string helo_name;  // our name in EHLO / HELO
  std::chrono::seconds step_timeout{60};  // each of: resolve, connect per address, write, reply
};

using DeliveryCallback = std::function<void(std::size_t index, DeliveryResult result)>;

// Sends every mail over one connection, in order: greeting, EHLO (HELO if EHLO
// gets 5xx), then per mail MAIL FROM:<>, RCPT TO, DATA, the dot-stuffed data;
// RSET after a refused MAIL/RCPT/DATA; finally QUIT.
//
// on_result(index, result) is called exactly once per mail, as soon as its
// result is known: before the next mail's MAIL FROM is sent, so the caller can
// record "sent" at once. It must not throw. If the connection fails, times out
// or the session is refused, every mail still without a result gets `temporary`.
// A connection lost after the final dot but before its reply is `temporary`
// too, though the smarthost may have taken the mail (RFC 1047: the caller may
// send a duplicate; that window is inherent to SMTP).
//
// Parameters are taken by value: a coroutine must not hold references to the
// caller's temporaries. Runs on one thread (or strand), like IntakeServer.
boost::asio::awaitable<void> deliver_via_smtp(SmtpTarget target, std::vector<OutgoingMail> mails,
                                              DeliveryCallback on_result);

}  // namespace csirtgw
