// The route stage: the first routing rule whose conditions all hold names the queue.
#include "route_stage.h"

#include <algorithm>

#include "json_text.h"

namespace csirtgw {

FilterOutcome RouteStage::process(Report& report) {
  if (report.queue == "quarantine") {
    report.route_rule = "quarantined by the OpenPGP stage";
    report.audit_notes.push_back({"routed", json_text({{"queue", report.queue}, {"rule", report.route_rule}})});
    return {};
  }
  const Classification& c = report.classification;
  const char* encryption = report.crypto.encryption == EncryptionState::decrypted ? "decrypted"
                           : report.crypto.encryption == EncryptionState::failed  ? "failed"
                                                                                  : "none";
  for (const auto& rule : policy_.routes) {
    if (rule.intake && std::none_of(report.recipients.begin(), report.recipients.end(),
                                    [&](const EnvelopeRecipient& r) { return r.intake == *rule.intake; }))
      continue;
    if (rule.type && !type_matches(*rule.type, c.type)) continue;
    if (rule.category && std::none_of(c.categories.begin(), c.categories.end(),
                                      [&](const DisclosureReason& r) { return r.category == *rule.category; }))
      continue;
    if (rule.constituency && *rule.constituency != c.constituency) continue;
    if (rule.reporter_constituent && *rule.reporter_constituent != c.reporter_constituent) continue;
    if (rule.encryption && *rule.encryption != encryption) continue;
    if (rule.signature && *rule.signature != report.crypto.signature) continue;
    if (rule.sender_verified && *rule.sender_verified != report.crypto.sender_verified) continue;
    if (rule.tlp && *rule.tlp != c.tlp) continue;
    report.queue = rule.queue;
    report.route_rule = rule.name;
    break;
  }
  report.audit_notes.push_back({"routed", json_text({{"queue", report.queue}, {"rule", report.route_rule}})});
  return {};
}

}  // namespace csirtgw
