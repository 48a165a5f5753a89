// The daemon's side of an OpenPGP worker process (keyring/openpgp_worker_loop.h
// says why the GPGME work runs there): the same operations as OpenPgpEngine and
// OpenPgpWriter, each one request and one reply over a socketpair. One worker
// per pipeline thread (or ack composer), started with it and again after it
// died. A worker that dies during a request gets it again on a new worker; a
// second death, or no answer within the operation's deadline plus a grace, is
// a temporary failure for that operation (the message stays spooled and is
// retried), never the daemon's.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "openpgp_wire.h"
#include "result.h"
#include "unique_fd.h"

namespace csirtgw {

// csirtgw-openpgp-worker next to the running program (the build tree, test
// binaries), else in the installed libexec directory.
Result<std::filesystem::path> openpgp_worker_program();

// Finds the program now and holds it open (O_PATH) for the life of the
// process; every later start, also a restart after a worker died, executes
// that file through /proc/self/fd. Serve calls it before it drops privileges:
// the user it becomes may not be able to search the directories on the way
// (a build tree under /root, 0700). Without it, each start looks the program
// up by path (unit tests).
Status pin_openpgp_worker_program();

class OpenPgpWorker {
 public:
  // Starts the worker process.
  explicit OpenPgpWorker(OpenPgpWorkerSettings settings);
  ~OpenPgpWorker();
  OpenPgpWorker(const OpenPgpWorker&) = delete;
  OpenPgpWorker& operator=(const OpenPgpWorker&) = delete;

  Result<DecryptOutcome> decrypt_and_verify(std::string_view ciphertext);
  Result<VerifyOutcome> verify_detached(std::string_view signed_bytes, std::string_view signature);
  Result<VerifyOutcome> verify_clearsigned(std::string_view message);

  // Need settings.signer_fingerprint.
  Result<DetachedSignature> sign_detached(std::string_view data);
  Result<std::optional<std::string>> encryption_key_problem(const std::string& fingerprint);
  Result<std::string> sign_and_encrypt(std::string_view data, const std::string& fingerprint);

  // The running worker's pid, or -1 (tests).
  pid_t pid() const { return pid_; }
  // Whether the last operation failed because the worker did (died twice on
  // it, or stopped answering), not with an error it reported.
  bool last_failure_was_the_worker() const { return worker_failed_; }

 private:
  Result<std::string> call(const OpenPgpRequest& request);
  Status start();
  void reap_if_exited();
  // Closes the socket and waits for the worker; kills it first when `kill`.
  void stop(bool kill);

  OpenPgpWorkerSettings settings_;
  pid_t pid_ = -1;
  UniqueFd socket_;
  bool worker_failed_ = false;
};

}  // namespace csirtgw
