// What csirtgw writes above a message in its queue: trace headers (the
// envelope, which a mail client otherwise cannot see) and the X-Csirtgw-*
// status headers. Shared by the filing worker and the whole-chain fuzz target,
// so that what is fuzzed is what is filed.
#pragma once

#include <ctime>
#include <string>

#include "report.h"

namespace csirtgw {

// Return-Path, Delivered-To, Received, then render_status_headers(); LF line
// ends. Followed by an empty line when report.message() starts with white
// space, so that no line of the message can continue csirtgw's last field.
std::string filed_head(const Report& report, const std::string& hostname, std::time_t received);

}  // namespace csirtgw
