// One arbitrary message (the input: raw bytes, CRLF as received) through the
// pipeline the daemon runs after the OpenPGP stage — strip forged status
// headers, classify, route (filters/content_stages.h, the daemon's own list)
// under the embedded default configuration, policy and reporting form loaded
// as the daemon loads them (load_pipeline_rules) — then the head the filing
// worker writes (filed_head) and the bytes it files (MaildirQueue).
//
// Run twice when the input has a bare CR or LF: as spooled (the intake allows
// CRLF only; every header invariant applies) and as it is (what decrypted
// text can hand the later stages: no throw, no defer, clean audit notes).
// The invariants are in filed_invariants.h. The envelope varies with the
// input's size, so that the routing rules keyed on the intake all run.
#include <ctime>
#include <string>
#include <string_view>

#include "config.h"
#include "content_stages.h"
#include "filed_copy.h"
#include "filed_invariants.h"
#include "fuzz_common.h"
#include "pipeline_rules.h"
#include "ticket_store.h"

namespace {

using namespace csirtgw;

const PipelineRules& rules() {
  static const std::shared_ptr<const PipelineRules> loaded = [] {
    auto l = load_pipeline_rules(default_config());
    FUZZ_CHECK(l.rules != nullptr, "the embedded configuration, policy or form does not load");
    return l.rules;
  }();
  return *loaded;
}

Report make_report(std::string message) {
  static const char* const kIntakes[][2] = {
      {"cert@csirt.example", "cert"}, {"abuse@csirt.example", "abuse"}, {"vuln@csirt.example", "vuln"}};
  const auto& intake = kIntakes[message.size() % 3];
  Report report;
  report.spool_id = "20261204T190000-000001";
  report.received_at = "2026-12-04T19:00:00Z";
  report.protocol = message.size() % 2 ? "lmtp" : "smtp";
  report.peer = "192.0.2.25";
  report.helo = "mta.example.org";
  report.sender = "reporter@example.org";
  report.recipients = {{intake[0], intake[1]}};
  report.raw_message = std::move(message);
  return report;
}

void through_the_chain(std::string message, bool spooled) {
  const PipelineRules& r = rules();
  FilterChain chain;
  append_content_stages(chain, r.policy, r.form, r.config);
  Report report = make_report(std::move(message));
  fuzz::run_chain(chain, report);
  report.ticket = format_ticket(r.policy.ticket_prefix, 1);  // as the worker does before filing
  fuzz::check_audit_notes(report);
  fuzz::check_queue(report, r.policy);
  const std::string head = filed_head(report, r.config.hostname, std::time_t{1796410800});
  fuzz::check_filed(report, head, spooled);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = csirtgw::fuzz::as_text(data, size);
  std::string spooled = csirtgw::fuzz::as_spooled(input);
  const bool changed = spooled != input;
  through_the_chain(std::move(spooled), true);
  if (changed) through_the_chain(std::string(input), false);
  return 0;
}
