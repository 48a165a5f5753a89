// Deciding, for each filed report, whether it is acknowledged and how: the
// loop and abuse rules (ack_policy), the per-sender rate limit, the caps per
// recipient domain and over all recipients (counted in the outbound queue plus
// the batch being filed) and, for a report that came encrypted, the reporter
// keys registered for the envelope sender. Runs on the worker thread, in
// arrival order, before the acknowledgements are composed.
//
// The caps are against backscatter: the envelope sender is whatever the
// client said, so a flood of reports "from" one victim domain, or from many,
// must not make the team mail them. An acknowledgement a cap suppresses is
// audited with the cap's reason (ack-suppressed) and logged at warn level once
// per window; the counts live in the store, so a restart does not reset them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "report.h"
#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct AckRequest {
  std::string spool_id;
  std::string ticket;          // "XYZ-CERT #42"
  std::string recipient;       // the envelope sender, as given
  std::string from_address;    // the intake address the report came to
  std::string intake_name;     // picks the template
  std::string in_reply_to;     // the report's Message-ID if it is a clean one, else ""
  // Encrypt only when the report came encrypted (attempted, not necessarily
  // decrypted: success and failure must look the same from outside).
  bool report_encrypted = false;
  std::vector<std::string> registered_keys;  // for `recipient`, newest first
};

struct AckPlan {
  std::optional<std::string> suppressed;  // the audited reason when no ack is sent
  AckRequest request;                     // when not suppressed
};

class AckPlanner {
 public:
  AckPlanner(const Config& config, Database& db) : config_(config), db_(db) {}
  // `opened_ticket`: the report opened its ticket (false: a follow-up).
  // Errors are the store's (temporary).
  Result<AckPlan> plan(const Report& report, bool opened_ticket);

 private:
  // The reason a cap suppresses an acknowledgement to `domain`, or nullopt.
  Result<std::optional<std::string>> cap_reached(const std::string& domain, std::int64_t now);

  const Config& config_;
  Database& db_;
  std::map<std::string, std::int64_t> planned_in_batch_;  // lower-case recipient -> acks
  std::map<std::string, std::int64_t> planned_by_domain_;  // lower-case domain -> acks
  std::int64_t planned_total_ = 0;
  // The store's counts, read once per batch (each is a scan of the window's
  // rows); the batch's own plans are added to them.
  std::map<std::string, std::int64_t> queued_by_domain_;
  std::optional<std::int64_t> queued_total_;
};

}  // namespace csirtgw
