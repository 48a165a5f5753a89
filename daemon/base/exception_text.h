// Names a caught exception for the log and the audit log without its what():
// a parser's error text may quote the message it choked on, and neither the
// log nor the audit log carries report contents. The class says enough to
// find the bug ("nlohmann::json_abi_v3_11_2::detail::type_error").
#pragma once

#include <exception>
#include <string>

namespace csirtgw {

// The demangled dynamic type of the exception in `error`, or "unknown
// exception" for one that is not a std::exception. Never throws.
std::string exception_class(const std::exception_ptr& error) noexcept;

}  // namespace csirtgw
