// The triage staff's commands: tickets and queues, ticket actions (each audited
// with the operator's name) and statistics. Statistics are counts only — no
// addresses, hosts or texts (RFC 2350's "statistical information").
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "correspondence.h"
#include "json_text.h"
#include "policy.h"
#include "queue_books.h"
#include "store.h"
#include "ticket_store.h"
#include "ticket_desk_commands.h"
#include "ticket_timings.h"
#include "triage_session.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

nlohmann::json correspondence_json(const std::vector<CorrespondenceEntry>& entries) {
  auto list = nlohmann::json::array();
  for (const auto& e : entries)
    list.push_back({{"at", e.at}, {"kind", e.kind}, {"staff", e.staff}, {"recipient", e.recipient},
                    {"recipient_fingerprint", e.recipient_fingerprint}, {"encrypted", e.encrypted},
                    {"message_id", e.message_id}, {"rule", e.rule}, {"delivery", e.delivery}});
  return list;
}

// Who a verified signature vouched for: "eve@example.org (Example CERT)", or "no".
std::string verified_text(const std::string& address, const std::string& org) {
  if (address.empty()) return "no";
  return address + (org.empty() ? "" : " (" + org + ")");
}

}  // namespace

int run_ticket_show(const TriageOptions& options, const std::string& id, bool json) {
  auto opened = open_for(options);
  if (!opened) return 2;
  auto number = parse_ticket_id(id);
  if (!number) return complain("not a ticket id: " + id);
  auto detail = ticket_detail(opened->db, *number);
  if (!detail) return complain(detail.error().message);
  if (!detail.value()) return complain("no ticket #" + std::to_string(*number));
  const TicketDetail& d = *detail.value();
  nlohmann::json out = summary_json(d.summary, *opened, std::time(nullptr));
  out["links"] = nlohmann::json::array();
  for (auto other : d.links) out["links"].push_back(format_ticket(opened->prefix, other));
  out["external_refs"] = d.external_refs;
  out["messages"] = nlohmann::json::array();
  for (const auto& m : d.messages)
    out["messages"].push_back({{"spool_id", m.spool_id}, {"message_id", m.message_id}, {"role", m.role},
                               {"added_at", m.added_at}, {"participant", m.participant}, {"signature", m.signature},
                               {"verified_address", m.verified_address}, {"verified_org", m.verified_org}});
  out["comments"] = nlohmann::json::array();
  for (const auto& c : d.comments) out["comments"].push_back({{"at", c.at}, {"author", c.author}, {"text", c.text}});
  auto sent = ticket_correspondence(opened->db, *number);  // issue 17
  if (!sent) return complain(sent.error().message);
  out["correspondence"] = correspondence_json(sent.value());
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
  for (auto other : d.links) std::printf("linked:       %s\n", shown(format_ticket(opened->prefix, other)).c_str());
  for (const auto& m : d.messages)
    std::printf("message:      %s %s %s %s signature=%s verified=%s%s\n", shown(m.added_at).c_str(),
                shown(m.role).c_str(), shown(m.spool_id).c_str(), shown(m.message_id).c_str(),
                shown(m.signature).c_str(), shown(verified_text(m.verified_address, m.verified_org)).c_str(),
                m.participant ? "" : " (not a participant)");
  for (const auto& c : d.comments)
    std::printf("comment:      %s %s: %s\n", shown(c.at).c_str(), shown(c.author).c_str(), shown(c.text).c_str());
  for (const auto& e : sent.value())
    std::printf("sent:         %s %s to %s by %s, %s, %s [%s]\n", shown(e.at).c_str(), shown(e.kind).c_str(),
                shown(e.recipient).c_str(), shown(e.staff).c_str(),
                shown(e.encrypted ? "encrypted to " + e.recipient_fingerprint : "signed only").c_str(),
                shown(e.message_id).c_str(), shown(e.delivery).c_str());
  return 0;
}

int run_ticket_action(const TriageOptions& options, const std::string& action, const std::string& id,
                      const std::optional<std::string>& text, bool steal) {
  auto who = operator_name(options.operator_name);
  if (!who) return 2;
  auto opened = open_for(options);
  if (!opened) return 2;
  auto number = parse_ticket_id(id);
  if (!number) return complain("not a ticket id: " + id);
  Status st = action == "comment" ? add_ticket_comment(opened->db, *number, *who, text.value_or(""))
                                  : change_ticket_state(opened->db, *number, action, *who, steal);
  if (!st) return complain(st.error().message);
  std::printf("%s: %s by %s\n", shown(format_ticket(opened->prefix, *number)).c_str(), shown(action).c_str(),
              shown(*who).c_str());
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
    auto who = operator_name(options.operator_name);
    if (!who) return 2;
    auto report = scan_queues(opened->db, opened->state_dir, opened->queues, *who);
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
  const auto who = operator_name(options.operator_name);
  if (!who) return 2;
  auto report = refile_ticket(opened->db, opened->state_dir, *number, opened->queues, *who);
  if (!report) return complain(report.error().message);
  for (const auto& spool_id : report->restored) std::printf("restored: %s\n", shown(spool_id).c_str());
  for (const auto& spool_id : report->without_copy)
    std::printf("no stored copy: %s (filed before csirtgw kept one; the original is in originals/)\n",
                shown(spool_id).c_str());
  std::printf("%s: refile by %s: %zu restored, %zu still in a queue folder\n",
              shown(format_ticket(opened->prefix, *number)).c_str(), shown(*who).c_str(), report->restored.size(),
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
  std::vector<TicketSummary> counted;
  for (const auto& t : tickets.value()) {
    if (!counts_in_statistics(t)) continue;  // not an incident, or a duplicate merged into another
    // ISO 8601 timestamps compare as text; a bare date covers its whole day.
    if (since && t.created_at < *since) continue;
    if (until && t.created_at.substr(0, until->size()) > *until) continue;
    ++total;
    counted.push_back(t);
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
    out["timings"] = timings_json(ticket_timings(counted));
    if (since) out["since"] = *since;
    if (until) out["until"] = *until;
    std::printf("%s\n", json_text(out, 2).c_str());
  } else if (format == "csv") {
    std::printf("%s,count\n", by.c_str());
    for (const auto& [key, n] : counts) std::printf("%s,%d\n", shown(key).c_str(), n);
  } else {
    for (const auto& [key, n] : counts) std::printf("%-45s %6d\n", shown(key).c_str(), n);
    std::printf("%-45s %6d\n", "total", total);
    print_timings(ticket_timings(counted));
  }
  return 0;
}

}  // namespace csirtgw
