// Searching stored indicators (indicator_index.h). Each query names the one
// index it scans; "+kind" (a unary plus) keeps the planner from scanning every
// row of a kind through indicators_by_value instead.
#include <algorithm>

#include "indicator_index.h"

namespace csirtgw {
namespace {

// The newest matching rows are chosen from the index alone (each index holds
// the rowid, and indicators_by_ip the prefix too), then only those are read
// and joined. `windowed`: from the newest rows (id > ?7) by rowid instead, no
// index: for a wide block that most rows fall in, the newest hits are among the
// newest rows, where an index scan would visit every row of the block first.
std::string lookup_sql(const char* condition, bool kind_filter, bool windowed) {
  return std::string("SELECT i.id, i.ticket, i.value, i.kind, i.origin, i.spool_id, t.queue, t.state, t.tlp,"
                     " COALESCE(m.added_at, t.created_at) FROM (SELECT id FROM indicators ") +
         (windowed ? "NOT INDEXED WHERE id > ?7 AND " : "WHERE ") + condition + (kind_filter ? " AND +kind = ?9" : "") +
         " ORDER BY id DESC LIMIT ?8) AS newest"
         " JOIN indicators i ON i.id = newest.id JOIN tickets t ON t.number = i.ticket"
         " LEFT JOIN ticket_messages m ON m.spool_id = i.spool_id ORDER BY i.id DESC";
}

// Blocks this wide (IPv4 /8, over 128 bits) or wider are first looked for
// among the newest rows of the store.
constexpr int kWideBlock = 104;
constexpr std::int64_t kWindowRows = 50000;

// Addresses and blocks starting inside [?1, ?2] no wider than the one searched
// (?3 bits; a stored address is a block of 128).
constexpr const char* kInRange = "ip >= ?1 AND ip <= ?2 AND ip IS NOT NULL AND prefix >= ?3";
// A stored block of exactly ?3 bits starting at ?1: one that holds what is searched.
constexpr const char* kHoldingBlock = "ip = ?1 AND ip IS NOT NULL AND prefix = ?3";
// A domain and its subdomains, and the e-mail addresses at them.
constexpr const char* kUnderDomain = "rdomain >= ?1 AND rdomain < ?2 AND rdomain IS NOT NULL";
// The URL and the URLs that continue it.
constexpr const char* kUrlPrefix = "kind = 'url' AND value >= ?1 AND value < ?2";
constexpr const char* kExact = "kind = ?4 AND value = ?1";

struct Lookup {
  const char* condition;
  std::string first, second;  // ?1, ?2
  std::optional<std::int64_t> prefix;  // ?3
  std::string kind;           // ?4
  std::optional<std::int64_t> newer_than;  // ?7: only rows above this id (lookup_sql's `windowed`)
};

Status run_lookup(Database& db, const Lookup& lookup, const std::optional<std::string>& kind, std::size_t limit,
                  std::vector<IndicatorHit>& hits) {
  auto stmt = db.prepare(lookup_sql(lookup.condition, kind.has_value(), lookup.newer_than.has_value()));
  if (!stmt) return stmt.error();
  const bool blob = lookup.condition == kInRange || lookup.condition == kHoldingBlock;
  if (blob) stmt->bind_blob(1, lookup.first).bind_blob(2, lookup.second.empty() ? lookup.first : lookup.second);
  else stmt->bind(1, lookup.first).bind(2, lookup.second);
  if (lookup.prefix) stmt->bind(3, *lookup.prefix);
  if (!lookup.kind.empty()) stmt->bind(4, lookup.kind);
  if (lookup.newer_than) stmt->bind(7, *lookup.newer_than);
  stmt->bind(8, static_cast<std::int64_t>(limit + 1));
  if (kind) stmt->bind(9, *kind);
  while (true) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!row.value()) return ok_status();
    hits.push_back({stmt->integer(0), stmt->integer(1), stmt->text(2), stmt->text(3), stmt->text(4), stmt->text(5),
                    stmt->text(6), stmt->text(7), stmt->text(8), stmt->text(9)});
  }
}

// The index scans that answer `query`.
std::vector<Lookup> lookups_for(const SearchQuery& query) {
  switch (query.kind) {
    case QueryKind::address:
    case QueryKind::network: {
      std::vector<Lookup> out{{kInRange, query.range.first, query.range.last, query.range.prefix, {}}};
      // Wider stored blocks holding the address or block: one point lookup per prefix length.
      for (int bits = widest_prefix(query.range.first); bits < query.range.prefix; ++bits)
        out.push_back({kHoldingBlock, block_of(query.range.first, bits).first, {}, bits, {}});
      return out;
    }
    case QueryKind::domain: return {{kUnderDomain, query.rdomain, after_subdomains(query.rdomain), {}, {}}};
    case QueryKind::url: return {{kUrlPrefix, query.value, query.value + "\xff", {}, {}}};
    case QueryKind::email: return {{kExact, query.value, {}, {}, "email"}};
    case QueryKind::hash: return {{kExact, query.value, {}, {}, query.hash_kind}};
    case QueryKind::cve: return {{kExact, query.value, {}, {}, "cve"}};
  }
  return {};
}

Result<std::int64_t> newest_id(Database& db) {
  auto stmt = db.prepare("SELECT COALESCE(MAX(id), 0) FROM indicators");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return stmt->integer(0);
}

// A wide block's newest hits from the newest rows, when there are enough of
// them there (then they are the newest of all); else nothing is added.
Result<bool> found_among_newest(Database& db, Lookup lookup, const std::optional<std::string>& kind,
                                std::size_t limit, std::vector<IndicatorHit>& hits) {
  if (lookup.condition != kInRange || lookup.prefix.value_or(128) > kWideBlock) return false;
  auto newest = newest_id(db);
  if (!newest) return newest.error();
  lookup.newer_than = *newest - kWindowRows;
  std::vector<IndicatorHit> recent;
  if (auto st = run_lookup(db, lookup, kind, limit, recent); !st) return st.error();
  if (recent.size() <= limit) return false;
  hits.insert(hits.end(), recent.begin(), recent.end());
  return true;
}

}  // namespace

Result<SearchHits> search_indicators(Database& db, const SearchQuery& query, const std::optional<std::string>& kind,
                                     std::size_t limit) {
  SearchHits found;
  for (const auto& lookup : lookups_for(query)) {
    auto done = found_among_newest(db, lookup, kind, limit, found.hits);
    if (!done) return done.error();
    if (done.value()) continue;
    if (auto st = run_lookup(db, lookup, kind, limit, found.hits); !st) return st.error();
  }
  std::sort(found.hits.begin(), found.hits.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  if (found.hits.size() > limit) {
    found.more = true;
    found.hits.resize(limit);
  }
  return found;
}

}  // namespace csirtgw
