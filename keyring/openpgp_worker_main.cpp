// csirtgw-openpgp-worker: started by the daemon (keyring/openpgp_worker.h)
// with its end of a socketpair as file descriptor 3; not for use by hand.
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "gnupg_home.h"
#include "openpgp_worker_loop.h"

int main(int argc, char** argv) {
  // Started through /proc/self/fd/4 (the daemon's handle on this program,
  // opened before it dropped privileges), the kernel names the process "4":
  // its own name again, for ps and for whoever looks for it. The handle
  // itself is not needed (when started by path, fd 4 is not open).
  ::prctl(PR_SET_NAME, "csirtgw-openpgp-worker", 0, 0, 0);
  ::close(4);
  // The daemon ends a worker by closing the socket, after the operation in
  // flight: a service manager's SIGTERM to the whole group must not cut it off.
  std::signal(SIGTERM, SIG_IGN);
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  auto settings = csirtgw::parse_worker_arguments(argc, argv);
  if (!settings) {
    std::fprintf(stderr, "csirtgw-openpgp-worker: %s\n", settings.error().message.c_str());
    return 2;
  }
  if (auto st = csirtgw::init_gpgme(); !st) {
    std::fprintf(stderr, "csirtgw-openpgp-worker: %s\n", st.error().message.c_str());
    return 1;
  }
  return csirtgw::serve_openpgp_requests(3, settings.value());
}
