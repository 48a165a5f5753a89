// The route stage: the first routing rule whose conditions all hold names the queue.
#include "route_stage.h"

#include <algorithm>

#include "json_text.h"

namespace csirtgw {
namespace {

void note_route(Report& report) {
  report.audit_notes.push_back({"routed", json_text({{"queue", report.queue}, {"rule", report.route_rule}})});
}

}  // namespace

FilterOutcome RouteStage::process(Report& report) {
  if (report.queue == "quarantine") {
    report.route_rule = "quarantined by the OpenPGP stage";
    note_route(report);
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
  note_route(report);
  return {};
}

void route_with_ticket(Report& report, const std::string& ticket_queue) {
  if (report.queue == ticket_queue) return;
  const std::string rule_queue = report.queue;
  report.queue = ticket_queue;
  report.route_rule = "follow-up filed with its ticket";
  const std::string detail =
      json_text({{"queue", report.queue}, {"rule", report.route_rule}, {"rule_queue", rule_queue}});
  bool noted = false;
  for (auto& note : report.audit_notes)
    if (note.event == "routed") {
      note.detail = detail;
      noted = true;
    }
  if (!noted) report.audit_notes.push_back({"routed", detail});
}

}  // namespace csirtgw
