// What the outbound SMTP client writes besides fixed command words: the DATA
// payload (RFC 5321 4.5.2 dot-stuffing) and the words it puts into commands.
// No I/O; tested with plain strings (tests/unit/daemon/outbound/smtp_client_test.cpp).
//
// It must never emit a bare CR or LF (a receiver may read the stream otherwise
// than we meant, the SMTP smuggling class our own intake refuses with 521) nor
// let a command argument carry CR, LF or '<' '>' into a second command.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csirtgw {

// The bytes to send after "354": the message with every line that starts with
// '.' given another '.', ending in CRLF "." CRLF. The message is expected to
// have CRLF line ends already; a bare CR or LF in it is sent as CRLF, and a
// last line without its CRLF gets one.
std::string dot_stuffed_data(std::string_view message);

// Why recipient cannot go into "RCPT TO:<...>" (nullopt: it can). Only what
// would break the command line is refused: the caller validates the address.
std::optional<std::string> rcpt_address_problem(std::string_view recipient);

// Why name cannot go into "EHLO name" (nullopt: it can).
std::optional<std::string> helo_name_problem(std::string_view name);

}  // namespace csirtgw
