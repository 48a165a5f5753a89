// The triage staff's commands: tickets and queues, ticket actions (each audited
// with the operator's name) and statistics. Statistics are counts only — no
// addresses, hosts or texts (RFC 2350's "statistical information").
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "config_resolution.h"
#include "json_text.h"
#include "policy.h"
#include "queue_books.h"
#include "store.h"
#include "ticket_store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

int complain(const std::string& message) {
  std::fprintf(stderr, "csirtgw: %s\n", sanitize_untrusted(message).c_str());
  return 1;
}

// Every value printed for a person passes here: a Message-ID carrying
// "ESC ] 0 ; ... BEL" must not retitle or clear the analyst's terminal.
std::string shown(const std::string& value, std::size_t max = 4096) { return sanitize_untrusted(value, max); }

std::string operator_name(const std::optional<std::string>& given) {
  if (given && !given->empty()) return *given;
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

struct Opened {
  Config config;
  std::filesystem::path state_dir;
  Database db;
  std::string prefix;
  std::set<std::string> queues;  // the policy's routing targets
};

std::optional<Opened> open_for(const TriageOptions& options) {
  auto config = resolve_config(options.config_file);
  if (!config) return std::nullopt;
  const auto dir = std::filesystem::absolute(options.state_dir ? *options.state_dir : config->state_dir);
  auto db = open_store(dir);
  if (!db) {
    complain(db.error().message);
    return std::nullopt;
  }
  auto policy = load_policy(*config);
  std::set<std::string> queues;
  for (const auto& route : policy.policy.routes) queues.insert(route.queue);
  return Opened{*config, dir, std::move(db.value()), policy.policy.ticket_prefix, std::move(queues)};
}

// "42", "#42" or "XYZ-CERT #42".
std::optional<std::int64_t> parse_ticket_id(const std::string& text) {
  auto hash = text.rfind('#');
  std::string digits = hash == std::string::npos ? text : text.substr(hash + 1);
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(digits);
}

nlohmann::json summary_json(const TicketSummary& t, const std::string& prefix) {
  return {{"ticket", format_ticket(prefix, t.number)}, {"number", t.number},     {"queue", t.queue},
          {"state", t.state},                          {"owner", t.owner},       {"type", t.type},
          {"priority", t.priority},                    {"tlp", t.tlp},           {"constituency", t.constituency},
          {"categories", t.categories},                {"encryption", t.encryption}, {"signature", t.signature},
          {"verified_address", t.verified_address},    {"verified_org", t.verified_org},
          {"messages", t.messages},                    {"created_at", t.created_at}, {"updated_at", t.updated_at},
          {"attention", t.attention}};
}

// Who a verified signature vouched for: "eve@example.org (Example CERT)", or "no".
std::string verified_text(const std::string& address, const std::string& org) {
  if (address.empty()) return "no";
  return address + (org.empty() ? "" : " (" + org + ")");
}

}  // namespace

int run_tickets(const TriageOptions& options, const std::optional<std::string>& queue,
                const std::optional<std::string>& state, bool json) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto tickets = list_tickets(opened->db, queue, state);
  if (!tickets) return complain(tickets.error().message);
  if (json) {
    auto list = nlohmann::json::array();
    for (const auto& t : tickets.value()) list.push_back(summary_json(t, opened->prefix));
    std::printf("%s\n", json_text(list, 2).c_str());
    return 0;
  }
  std::printf("%-18s %-17s %-9s %-3s %-13s %-40s %s\n", "TICKET", "QUEUE", "STATE", "PRI", "TLP", "TYPE", "OWNER");
  for (const auto& t : tickets.value())
    std::printf("%-18s %-17s %-9s %-3lld %-13s %-40s %s\n", shown(format_ticket(opened->prefix, t.number)).c_str(),
                shown(t.queue).c_str(), shown(t.state).c_str(), static_cast<long long>(t.priority), shown(t.tlp).c_str(),
                shown(t.type).c_str(), shown(t.owner).c_str());
  return 0;
}

int run_ticket_show(const TriageOptions& options, const std::string& id, bool json) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto number = parse_ticket_id(id);
  if (!number) return complain("not a ticket id: " + id);
  auto detail = ticket_detail(opened->db, *number);
  if (!detail) return complain(detail.error().message);
  if (!detail.value()) return complain("no ticket #" + std::to_string(*number));
  const TicketDetail& d = *detail.value();
  nlohmann::json out = summary_json(d.summary, opened->prefix);
  out["external_refs"] = d.external_refs;
  out["messages"] = nlohmann::json::array();
  for (const auto& m : d.messages)
    out["messages"].push_back({{"spool_id", m.spool_id}, {"message_id", m.message_id}, {"role", m.role},
                               {"added_at", m.added_at}, {"participant", m.participant}, {"signature", m.signature},
                               {"verified_address", m.verified_address}, {"verified_org", m.verified_org}});
  out["comments"] = nlohmann::json::array();
  for (const auto& c : d.comments) out["comments"].push_back({{"at", c.at}, {"author", c.author}, {"text", c.text}});
  if (json) {
    std::printf("%s\n", json_text(out, 2).c_str());
    return 0;
  }
  std::printf("%-13s %s\n", "verified:", shown(verified_text(d.summary.verified_address, d.summary.verified_org)).c_str());
  for (auto& [key, value] : out.items()) {
    if (value.is_array() || key == "verified_address" || key == "verified_org") continue;
    const std::string text = value.is_string() ? value.get<std::string>() : json_text(value);
    std::printf("%-13s %s\n", shown(key + ":").c_str(), shown(text).c_str());
  }
  for (const auto& ref : d.external_refs) std::printf("external:     %s\n", shown(ref).c_str());
  for (const auto& m : d.messages)
    std::printf("message:      %s %s %s %s signature=%s verified=%s%s\n", shown(m.added_at).c_str(),
                shown(m.role).c_str(), shown(m.spool_id).c_str(), shown(m.message_id).c_str(),
                shown(m.signature).c_str(), shown(verified_text(m.verified_address, m.verified_org)).c_str(),
                m.participant ? "" : " (not a participant)");
  for (const auto& c : d.comments)
    std::printf("comment:      %s %s: %s\n", shown(c.at).c_str(), shown(c.author).c_str(), shown(c.text).c_str());
  return 0;
}

int run_ticket_action(const TriageOptions& options, const std::string& action, const std::string& id,
                      const std::optional<std::string>& text, bool force) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto number = parse_ticket_id(id);
  if (!number) return complain("not a ticket id: " + id);
  const std::string who = operator_name(options.operator_name);
  Status st = action == "comment" ? add_ticket_comment(opened->db, *number, who, text.value_or(""))
                                  : change_ticket_state(opened->db, *number, action, who, force);
  if (!st) return complain(st.error().message);
  std::printf("%s: %s by %s\n", shown(format_ticket(opened->prefix, *number)).c_str(), shown(action).c_str(),
              shown(who).c_str());
  return 0;
}

// Counts from the store (queue_books.h): FILED is what csirtgw filed into the
// queue (or a scan found moved there), MISSING those of them no queue folder
// holds any more (`ticket refile` puts them back). A client reading, flagging
// or creating folders changes neither. --scan first records moves (audited).
int run_queues(const TriageOptions& options, bool scan) {
  auto opened = open_for(options);
  if (!opened) return 2;
  if (scan) {
    auto report = scan_queues(opened->db, opened->state_dir, opened->queues, operator_name(options.operator_name));
    if (!report) return complain(report.error().message);
    for (const auto& m : report->moved)
      std::printf("moved: %s %s -> %s%s\n", shown(m.spool_id).c_str(), shown(m.from).c_str(), shown(m.to).c_str(),
                  m.ticket ? (" (" + shown(format_ticket(opened->prefix, m.ticket)) + ")").c_str() : "");
    for (const auto& r : report->missing)
      std::printf("missing: %s %s%s\n", shown(r.spool_id).c_str(), shown(r.queue).c_str(),
                  r.ticket ? (" (" + shown(format_ticket(opened->prefix, r.ticket)) + ")").c_str() : "");
  }
  auto tickets = list_tickets(opened->db, std::nullopt, std::nullopt);
  if (!tickets) return complain(tickets.error().message);
  auto records = filed_records(opened->db);
  if (!records) return complain(records.error().message);
  const auto queues = known_queues(opened->db, opened->queues);
  auto counts = count_queues(records.value(), index_queue_folders(opened->state_dir / "queues", queues));
  std::map<std::string, std::map<std::string, int>> by_queue;
  for (const auto& t : tickets.value()) ++by_queue[t.queue][t.state];
  std::printf("%-20s %8s %8s %8s %8s %8s\n", "QUEUE", "FILED", "MISSING", "OPEN", "TAKEN", "RESOLVED");
  for (const auto& queue : queues) {
    auto& states = by_queue[queue];
    std::printf("%-20s %8lld %8lld %8d %8d %8d\n", shown(queue).c_str(), static_cast<long long>(counts[queue].filed),
                static_cast<long long>(counts[queue].missing), states["open"], states["taken"], states["resolved"]);
  }
  return 0;
}

int run_ticket_refile(const TriageOptions& options, const std::string& id) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto number = parse_ticket_id(id);
  if (!number) return complain("not a ticket id: " + id);
  const std::string who = operator_name(options.operator_name);
  auto report = refile_ticket(opened->db, opened->state_dir, *number, opened->queues, who);
  if (!report) return complain(report.error().message);
  for (const auto& spool_id : report->restored) std::printf("restored: %s\n", shown(spool_id).c_str());
  for (const auto& spool_id : report->without_copy)
    std::printf("no stored copy: %s (filed before csirtgw kept one; the original is in originals/)\n",
                shown(spool_id).c_str());
  std::printf("%s: refile by %s: %zu restored, %zu still in a queue folder\n",
              shown(format_ticket(opened->prefix, *number)).c_str(), shown(who).c_str(), report->restored.size(),
              report->present.size());
  return 0;
}

int run_stats(const TriageOptions& options, const std::optional<std::string>& since,
              const std::optional<std::string>& until, const std::string& by, const std::string& format) {
  auto opened = open_for(options);
  if (!opened) return 2;
  if (by != "type" && by != "category" && by != "constituency" && by != "month")
    return complain("--by must be type, category, constituency or month");
  auto tickets = list_tickets(opened->db, std::nullopt, std::nullopt);
  if (!tickets) return complain(tickets.error().message);
  std::map<std::string, int> counts;
  int total = 0;
  for (const auto& t : tickets.value()) {
    // ISO 8601 timestamps compare as text; a bare date covers its whole day.
    if (since && t.created_at < *since) continue;
    if (until && t.created_at.substr(0, until->size()) > *until) continue;
    ++total;
    if (by == "type") {
      ++counts[t.type];
    } else if (by == "constituency") {
      ++counts[t.constituency ? "inside" : "outside"];
    } else if (by == "month") {
      ++counts[t.created_at.substr(0, 7)];
    } else {
      std::set<std::string> seen;
      std::size_t start = 0;
      while (start <= t.categories.size()) {
        auto comma = t.categories.find(',', start);
        std::string category = t.categories.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!category.empty() && seen.insert(category).second) ++counts[category];
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  }
  if (format == "json") {
    nlohmann::json out = {{"by", by}, {"total", total}, {"counts", counts}};
    if (since) out["since"] = *since;
    if (until) out["until"] = *until;
    std::printf("%s\n", json_text(out, 2).c_str());
  } else if (format == "csv") {
    std::printf("%s,count\n", by.c_str());
    for (const auto& [key, n] : counts) std::printf("%s,%d\n", shown(key).c_str(), n);
  } else {
    for (const auto& [key, n] : counts) std::printf("%-45s %6d\n", shown(key).c_str(), n);
    std::printf("%-45s %6d\n", "total", total);
  }
  return 0;
}

}  // namespace csirtgw
