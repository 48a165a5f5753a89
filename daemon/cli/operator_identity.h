// Who is at the keyboard, for the audit log and ticket ownership: the OS user
// running the command, never a name typed on the command line. Root (the
// administrator, or an analyst through sudo: SUDO_USER) may act for an
// existing account with --as; for anyone else --as is refused, since the
// store would believe it.
#pragma once

#include <optional>
#include <string>

#include "result.h"

namespace csirtgw {

// bad_input (a usage error) when --as is given by a non-root user or names no account.
Result<std::string> operator_identity(const std::optional<std::string>& acting_for = std::nullopt);

}  // namespace csirtgw
