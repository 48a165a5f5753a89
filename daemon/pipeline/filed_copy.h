// What csirtgw writes above a message in its queue: trace headers (the
// envelope, which a mail client otherwise cannot see) and the X-Csirtgw-*
// status headers. Shared by the filing worker and the whole-chain fuzz target,
// so that what is fuzzed is what is filed.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "report.h"

namespace csirtgw {

// Return-Path, Delivered-To, Received, then render_status_headers(); LF line
// ends. Followed by an empty line when report.message() starts with white
// space, so that no line of the message can continue csirtgw's last field.
std::string filed_head(const Report& report, const std::string& hostname, std::time_t received);

// The filed copy carries its ticket's tag in the Subject ("[XYZ-CERT #42]
// original subject"), so that a plain reply from any mail client names the
// ticket; the original bytes stay in originals/. `header` is the message's
// header section with the tag added (once: not when the decoded subject
// already carries it; a Subject field is added when there is none), LF line
// ends; the message continues at `rest_at` (its empty line and body).
struct TaggedHeader {
  std::string header;
  std::size_t rest_at = 0;
};
// nullopt: nothing to change (the tag is there), or the message has no header
// section to change (it starts with white space: see filed_head).
std::optional<TaggedHeader> tagged_subject(std::string_view message, const std::string& ticket);

}  // namespace csirtgw
