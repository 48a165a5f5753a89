// The operator is the OS user (operator_identity.h).
#include "operator_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace csirtgw {
namespace {

std::string login_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid)) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

}  // namespace

Result<std::string> operator_identity(const std::optional<std::string>& acting_for) {
  const uid_t uid = ::getuid();
  if (acting_for) {
    if (uid != 0)
      return Error::bad_input("--as is for root only; you are recorded as " + login_name(uid));
    if (acting_for->empty() || !::getpwnam(acting_for->c_str()))
      return Error::bad_input("--as: no such user account \"" + *acting_for + "\"");
    return *acting_for;
  }
  if (uid == 0)
    if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return std::string(sudo);
  return login_name(uid);
}

}  // namespace csirtgw
