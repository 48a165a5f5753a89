// `csirtgw search` (search_command.h). What it prints came from reports: every
// value passes sanitize_untrusted / json_text, so a URL carrying escape
// sequences cannot drive the analyst's terminal.
#include "search_command.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "config_resolution.h"
#include "indicator_index.h"
#include "json_text.h"
#include "policy.h"
#include "store.h"
#include "ticket_store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

int complain(const std::string& message, int code) {
  std::fprintf(stderr, "csirtgw: %s\n", sanitize_untrusted(message).c_str());
  return code;
}

std::string shown(const std::string& value) { return sanitize_untrusted(value, 512); }

void print_json(const SearchQuery& query, const SearchHits& found, const std::string& prefix) {
  auto hits = nlohmann::json::array();
  for (const auto& hit : found.hits)
    hits.push_back({{"ticket", format_ticket(prefix, hit.ticket)}, {"number", hit.ticket}, {"value", hit.value},
                    {"kind", hit.kind}, {"origin", hit.origin}, {"queue", hit.queue}, {"state", hit.state},
                    {"tlp", hit.tlp}, {"when", hit.when}, {"spool_id", hit.spool_id}});
  const nlohmann::json out = {{"query", {{"kind", to_string(query.kind)}, {"value", query.value}}},
                              {"hits", hits},
                              {"more", found.more}};
  std::printf("%s\n", json_text(out, 2).c_str());
}

void print_table(const SearchQuery& query, const SearchHits& found, const std::string& prefix, std::size_t limit) {
  if (found.hits.empty()) {
    std::printf("no hits for %s %s\n", to_string(query.kind), shown(query.value).c_str());
    return;
  }
  std::printf("%-18s %-7s %-18s %-17s %-9s %-13s %-27s %s\n", "TICKET", "KIND", "ORIGIN", "QUEUE", "STATE", "TLP",
              "WHEN", "VALUE");
  for (const auto& hit : found.hits)
    std::printf("%-18s %-7s %-18s %-17s %-9s %-13s %-27s %s\n", shown(format_ticket(prefix, hit.ticket)).c_str(),
                shown(hit.kind).c_str(), shown(hit.origin).c_str(), shown(hit.queue).c_str(), shown(hit.state).c_str(),
                shown(hit.tlp).c_str(), shown(hit.when).c_str(), shown(hit.value).c_str());
  if (found.more) std::printf("(more than %zu hits: raise --limit to see more)\n", limit);
}

}  // namespace

int run_search(const SearchOptions& options) {
  // The value first: a typo is a usage error whatever the store holds.
  auto query = parse_search_value(options.value);
  if (!query) return complain(query.error().message, 2);
  auto config = resolve_config(options.config_file);
  if (!config) return 2;
  const auto dir = std::filesystem::absolute(options.state_dir ? *options.state_dir : config->state_dir);
  auto db = open_store(dir);
  if (!db) return complain(db.error().message, 1);
  const std::string prefix = load_policy(*config).policy.ticket_prefix;
  auto found = search_indicators(db.value(), query.value(), options.kind, options.limit);
  if (!found) return complain(found.error().message, 1);
  if (options.json)
    print_json(query.value(), found.value(), prefix);
  else
    print_table(query.value(), found.value(), prefix, options.limit);
  return 0;
}

}  // namespace csirtgw
