// Storing and searching indicators (indicator_index.h).
#include "indicator_index.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ascii_case.h"
#include "audit_log.h"
#include "json_text.h"

namespace csirtgw {
namespace {

struct IndicatorRow {
  std::string_view kind;
  std::optional<std::string> ip;
  std::optional<std::int64_t> prefix;
  std::optional<std::string> rdomain;
};

// The search keys of one indicator of a stored kind.
IndicatorRow row_of(std::string_view kind, const std::string& value) {
  IndicatorRow row{kind, std::nullopt, std::nullopt, std::nullopt};
  if (kind == "ip") {
    row.ip = address_key(value);
    row.prefix = 128;  // one address: a block of one
  } else if (kind == "cidr") {
    if (auto range = cidr_range(value)) {
      row.ip = range->first;
      row.prefix = range->prefix;
    }
  } else if (kind == "domain") {
    row.rdomain = reversed_labels(value);
  } else if (kind == "email") {
    // Its domain's labels too: a search for the domain finds the addresses at it.
    if (auto at = value.rfind('@'); at != std::string::npos) row.rdomain = reversed_labels(value.substr(at + 1));
  }
  return row;
}

Result<bool> has_indicators(Database& db, const std::string& spool_id) {
  auto stmt = db.prepare("SELECT 1 FROM indicators WHERE spool_id = ? LIMIT 1");
  if (!stmt) return stmt.error();
  stmt->bind(1, spool_id);
  return stmt->step();
}

}  // namespace

Result<StoredIndicators> store_indicators(Database& db, const Report& report, std::int64_t ticket,
                                          std::size_t max_indicators) {
  StoredIndicators result;
  auto earlier = has_indicators(db, report.spool_id);
  if (!earlier) return earlier.error();
  if (earlier.value()) {
    result.earlier = true;
    return result;
  }
  for (const auto& indicator : report.content.indicators) {
    auto kind = stored_kind(indicator.kind);
    if (!kind) continue;
    if (result.stored >= max_indicators) {
      ++result.dropped;
      continue;
    }
    // Local parts are case-insensitive in practice: one form to search for.
    const std::string value = *kind == "email" ? ascii_lower(indicator.value) : indicator.value;
    const IndicatorRow row = row_of(*kind, value);
    // The cached statement, reset when `insert` goes out of scope.
    auto insert = db.prepare(
        "INSERT INTO indicators (spool_id, ticket, kind, value, ip, prefix, rdomain, origin) VALUES (?,?,?,?,?,?,?,?)");
    if (!insert) return insert.error();
    insert->bind(1, report.spool_id).bind(2, ticket).bind(3, *kind).bind(4, value);
    if (row.ip) insert->bind_blob(5, *row.ip); else insert->bind_null(5);
    if (row.prefix) insert->bind(6, *row.prefix); else insert->bind_null(6);
    if (row.rdomain) insert->bind(7, *row.rdomain); else insert->bind_null(7);
    insert->bind(8, to_string(indicator.origin));
    if (auto st = insert->run(); !st) return st.error();
    ++result.stored;
  }
  if (result.dropped > 0) {
    // Counts only: which indicators were not stored is the report's content.
    nlohmann::json detail = {{"ticket", ticket}, {"stored", result.stored}, {"not_stored", result.dropped},
                             {"limit", "search.max_indicators_per_message"}};
    if (auto st = append_audit_event(db, {"indicators-capped", report.spool_id, "csirtgw", json_text(detail)}); !st)
      return st.error();
  }
  return result;
}

}  // namespace csirtgw
