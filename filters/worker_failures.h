// How often the OpenPGP worker has failed on each spooled message: died on it
// twice in one attempt (one death is retried on a new worker at once), or
// stopped answering. A worker that fails on one message again and again, while
// the others go through, points at the message (a gpg or GPGME crash it
// triggers, hostile input), not at the machine: after openpgp.worker_failures
// attempts it is quarantined rather than deferred forever, which in arrival
// order would hold up every message behind it. Shared by the stage threads (a
// retry may run on another thread) and kept across reloads; in memory only, so
// a restart gives a message the full count again.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace csirtgw {

class WorkerFailures {
 public:
  // Counts one more failed attempt on the message; returns the attempts so far.
  std::size_t record(const std::string& spool_id) {
    std::lock_guard lock(mutex_);
    return ++attempts_[spool_id];
  }
  // The message went through (or was quarantined): its count is done with.
  void forget(const std::string& spool_id) {
    std::lock_guard lock(mutex_);
    attempts_.erase(spool_id);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::size_t> attempts_;
};

}  // namespace csirtgw
