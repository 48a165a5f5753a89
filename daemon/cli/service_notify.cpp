// sd_notify for systemd Type=notify (service_notify.h).
#include "service_notify.h"

#include <cstdlib>

#include <systemd/sd-daemon.h>

namespace csirtgw {

void notify_service_manager(const char* state) {
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return;
  // unset_environment = 0: gpg children inherit nothing from it anyway, and a
  // later STOPPING=1 needs the variable still set.
  ::sd_notify(0, state);
}

}  // namespace csirtgw
