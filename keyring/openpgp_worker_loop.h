// The body of csirtgw-openpgp-worker: answers the daemon's OpenPGP requests
// (keyring/openpgp_wire.h) one at a time with an OpenPgpEngine and an
// OpenPgpWriter of its own, until the daemon closes the socket.
//
// Why a process of its own: GPGME forks (twice) for every gpg it runs. Forking
// the daemon -- many threads, tens of MiB mapped and written all the time --
// copies its page tables and write-protects every page it then touches, on
// every gpg run; measured on the 2-core benchmark machine that cost the daemon
// ~38 ms of CPU per encrypted report, against ~15 ms in a plain GPGME loop.
// The worker is small and single-threaded, so its forks cost what the loop's
// do. It also keeps gpg's output parsing, and any crash in it, out of the
// daemon: a worker that dies costs one retried message, never the daemon.
#pragma once

#include "openpgp_wire.h"

namespace csirtgw {

// Returns the process exit status: 0 when the daemon closed the socket.
int serve_openpgp_requests(int fd, const OpenPgpWorkerSettings& settings);

}  // namespace csirtgw
