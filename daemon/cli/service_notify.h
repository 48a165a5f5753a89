// Tells systemd (Type=notify) when the daemon is ready and when it begins to
// stop. Does nothing unless systemd started us (NOTIFY_SOCKET is set); never
// fails the daemon: a lost notification only delays systemd's view of it.
#pragma once

namespace csirtgw {

// `state` is an sd_notify(3) assignment such as "READY=1" or "STOPPING=1".
void notify_service_manager(const char* state);

}  // namespace csirtgw
