#include "ack_planner.h"

#include <ctime>

#include "ack_message.h"
#include "ack_policy.h"
#include "envelope_address.h"
#include "key_registry.h"
#include "message_header.h"
#include "outbound_store.h"

namespace csirtgw {

Result<AckPlan> AckPlanner::plan(const Report& report, bool opened_ticket) {
  AckPlan plan;
  plan.request.ticket = report.ticket;
  const std::string_view headers = header_section(report.raw_message);
  const AckCandidate candidate{report.sender, headers, opened_ticket, report.queue == "quarantine"};
  if (auto reason = ack_suppression(candidate, config_)) {
    plan.suppressed = std::move(reason);
    return plan;
  }
  // The intake refuses anything else; this guards the reply's To and RCPT.
  if (envelope_address_problem(report.sender)) {
    plan.suppressed = "the envelope sender cannot be replied to";
    return plan;
  }
  const std::string key = lowercase_address(report.sender);
  if (config_.ack_rate_limit > 0) {
    auto already = outbound_count_since(db_, key, std::time(nullptr) - config_.ack_rate_window);
    if (!already) return already.error();
    if (auto limited = ack_rate_limited(already.value() + planned_in_batch_[key], config_)) {
      plan.suppressed = std::move(limited);
      return plan;
    }
  }
  AckRequest& request = plan.request;
  request.spool_id = report.spool_id;
  request.recipient = report.sender;
  if (!report.recipients.empty()) {
    request.from_address = report.recipients.front().address;
    request.intake_name = report.recipients.front().intake;
  } else {
    request.from_address = config_.intakes.empty() ? "cert@" + config_.team_domain : config_.intakes.front().address;
  }
  request.in_reply_to = clean_message_id(header_value(headers, "Message-ID").value_or("")).value_or("");
  request.report_encrypted = report.crypto.encryption != EncryptionState::none;
  if (request.report_encrypted) {
    auto keys = keys_for_email(db_, report.sender);
    if (!keys) return keys.error();
    request.registered_keys = std::move(keys.value());
  }
  ++planned_in_batch_[key];
  return plan;
}

}  // namespace csirtgw
