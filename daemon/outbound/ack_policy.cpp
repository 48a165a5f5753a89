// Which reports may be acknowledged at all, and the caps' reasons (ack_policy.h).
#include "ack_policy.h"

#include <array>

#include "ascii_case.h"
#include "message_header.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

// Local parts of mailboxes that are robots or roles, never a person reporting
// (RFC 3834 2: responses to them cause loops or go nowhere).
bool is_robot_local_part(std::string_view local) {
  static constexpr std::array<std::string_view, 14> kExact = {
      "mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
      "do_not_reply", "bounce", "bounces", "listserv", "majordomo", "root", "nobody"};
  const std::string lower = ascii_lower(local);
  for (auto word : kExact)
    if (lower == word) return true;
  return lower.rfind("owner-", 0) == 0 || (lower.size() > 8 && lower.compare(lower.size() - 8, 8, "-request") == 0) ||
         lower.rfind("bounce+", 0) == 0 || lower.rfind("bounces+", 0) == 0;
}

// The header field names in a header block, in order.
std::optional<std::string> first_list_header(std::string_view headers) {
  std::size_t at = 0;
  while (at < headers.size()) {
    std::size_t end = headers.find('\n', at);
    if (end == std::string_view::npos) end = headers.size();
    const auto line = headers.substr(at, end - at);
    if (!line.empty() && line.front() != ' ' && line.front() != '\t') {
      const auto colon = line.find(':');
      if (colon != std::string_view::npos && colon >= 5 && ascii_iequals(line.substr(0, 5), "List-"))
        return std::string(line.substr(0, colon));
    }
    at = end + 1;
  }
  return std::nullopt;
}

// "auto-generated; comment" -> "auto-generated".
std::string first_token(std::string_view value) {
  const auto end = value.find_first_of("; \t(");
  return ascii_lower(value.substr(0, end));
}

bool is_team_address(std::string_view sender, const Config& config) {
  const std::string lower = ascii_lower(sender);
  for (const auto& intake : config.intakes)
    if (lower == intake.address) return true;
  const auto at = lower.rfind('@');
  if (at == std::string::npos) return false;
  const std::string domain = lower.substr(at + 1);
  const std::string team = ascii_lower(config.team_domain);
  return domain == team || (domain.size() > team.size() && domain.compare(domain.size() - team.size(), team.size(), team) == 0 &&
                            domain[domain.size() - team.size() - 1] == '.');
}

}  // namespace

std::optional<std::string> ack_suppression(const AckCandidate& candidate, const Config& config) {
  if (!candidate.new_ticket && !config.ack_follow_ups) return "follow-up to an existing ticket (ack.follow_ups = 0)";
  if (candidate.sender.empty()) return "null sender";
  const auto at = candidate.sender.rfind('@');
  if (is_robot_local_part(candidate.sender.substr(0, at == std::string_view::npos ? candidate.sender.size() : at)))
    return "robot or role address";
  if (is_team_address(candidate.sender, config)) return "the team's own address";
  if (auto value = header_value(candidate.headers, "Auto-Submitted"); value && first_token(*value) != "no")
    return "Auto-Submitted: " + sanitize_untrusted(*value, 40);
  if (auto value = header_value(candidate.headers, "Precedence")) {
    const std::string precedence = first_token(*value);
    if (precedence == "bulk" || precedence == "list" || precedence == "junk") return "Precedence: " + precedence;
  }
  if (auto list = first_list_header(candidate.headers)) return sanitize_untrusted(*list, 40) + " header (mailing list)";
  if (candidate.failed && config.ack_on_failure == "none") return "report failed and ack.on_failure = none";
  return std::nullopt;
}

std::optional<std::string> ack_rate_limited(std::int64_t already, const Config& config) {
  if (config.ack_rate_limit == 0 || already < config.ack_rate_limit) return std::nullopt;
  return "rate limit: " + std::to_string(already) + " acknowledgements to this address within " +
         std::to_string(config.ack_rate_window) + " s";
}

std::optional<std::string> ack_domain_capped(std::int64_t already, const Config& config) {
  if (config.ack_domain_rate_limit == 0 || already < config.ack_domain_rate_limit) return std::nullopt;
  return "domain rate limit: " + std::to_string(already) + " acknowledgements to this domain within " +
         std::to_string(config.ack_rate_window) + " s (ack.domain_rate_limit = " +
         std::to_string(config.ack_domain_rate_limit) + ")";
}

std::optional<std::string> ack_global_capped(std::int64_t already, const Config& config) {
  if (config.ack_global_rate_limit == 0 || already < config.ack_global_rate_limit) return std::nullopt;
  return "global rate limit: " + std::to_string(already) + " acknowledgements within " +
         std::to_string(kGlobalAckWindow) + " s (ack.global_rate_limit = " +
         std::to_string(config.ack_global_rate_limit) + ")";
}

}  // namespace csirtgw
