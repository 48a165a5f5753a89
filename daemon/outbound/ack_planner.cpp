// Whether and how each filed report is acknowledged, with the rate caps (ack_planner.h).
#include "ack_planner.h"

#include <spdlog/spdlog.h>

#include <ctime>

#include "ack_message.h"
#include "ack_policy.h"
#include "envelope_address.h"
#include "key_registry.h"
#include "message_header.h"
#include "once_per_window.h"
#include "outbound_store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

// Process-wide, like the logger it guards: the worker makes a planner per
// batch, and a cap that stays reached must not log a warning per batch.
OncePerWindow& cap_warnings() {
  static OncePerWindow warnings;
  return warnings;
}

// "user@Example.ORG" (lower-cased already) -> "example.org"; "" without "@".
std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

void warn_cap_once(const std::string& spool_id, const std::string& reason, const std::string& domain,
                   std::int64_t now, const Config& config) {
  const bool global = reason.rfind("global", 0) == 0;
  const std::int64_t window = global ? kGlobalAckWindow : config.ack_rate_window;
  if (!cap_warnings().first_in_window(global ? "global" : "domain " + domain, now, window)) return;
  auto log = spdlog::get("worker");
  if (!log) return;
  if (global)
    log->warn("{}: acknowledgement suppressed: {}; further ones within {} s are audited, not logged", spool_id,
              reason, window);
  else
    log->warn("{}: acknowledgement to domain {} suppressed: {}; further ones to it within {} s are audited, not logged",
              spool_id, sanitize_untrusted(domain, 255), reason, window);
}

}  // namespace

Result<std::optional<std::string>> AckPlanner::cap_reached(const std::string& domain, std::int64_t now) {
  if (config_.ack_domain_rate_limit > 0 && !domain.empty()) {
    auto queued = queued_by_domain_.find(domain);
    if (queued == queued_by_domain_.end()) {
      auto counted = outbound_count_domain_since(db_, domain, now - config_.ack_rate_window);
      if (!counted) return counted.error();
      queued = queued_by_domain_.emplace(domain, counted.value()).first;
    }
    if (auto capped = ack_domain_capped(queued->second + planned_by_domain_[domain], config_)) return capped;
  }
  if (config_.ack_global_rate_limit > 0) {
    if (!queued_total_) {
      auto counted = outbound_count_all_since(db_, now - kGlobalAckWindow);
      if (!counted) return counted.error();
      queued_total_ = counted.value();
    }
    if (auto capped = ack_global_capped(*queued_total_ + planned_total_, config_)) return capped;
  }
  return std::optional<std::string>();
}

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
  // After the per-address limit: one sender over its own limit is that
  // sender's matter and does not use up its domain's or everyone's share.
  const std::int64_t now = std::time(nullptr);
  const std::string domain = domain_of(key);
  auto capped = cap_reached(domain, now);
  if (!capped) return capped.error();
  if (capped.value()) {
    warn_cap_once(report.spool_id, *capped.value(), domain, now, config_);
    plan.suppressed = std::move(capped.value());
    return plan;
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
  ++planned_by_domain_[domain];
  ++planned_total_;
  return plan;
}

}  // namespace csirtgw
