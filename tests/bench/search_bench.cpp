// Search benchmark: a real SQLite store filled with N indicators (default one
// million) through the filing path's own code (assign_ticket, then
// store_indicators, in transactions as the worker makes them), then each kind
// of search timed over repeated runs through search_indicators(), the function
// behind `csirtgw search`. Prints the median and p99 latency of each search,
// its hit count, the fill rate and the store's size; exits 1 when a search
// misses what was stored or finds what was not (so a small run is a test).
//
//   csirtgw-search-bench [--indicators N] [--runs R] [--dir DIR] [--keep]
//
// The store lives in DIR (default: a new directory under $TMPDIR or /tmp,
// removed afterwards unless --keep).
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "indicator_index.h"
#include "store.h"
#include "ticket_store.h"

namespace csirtgw {
namespace {

struct Options {
  std::size_t indicators = 1000000;
  std::size_t runs = 50;
  std::string dir;
  bool keep = false;
};

constexpr std::size_t kPerMessage = 100;   // indicators of one report
constexpr std::size_t kPerCommit = 64;     // reports per transaction (worker.batch)
constexpr int kBaseDomains = 1000;

// One report of `kPerMessage` indicators: 40 IPv4 addresses in 10.0.0.0/8, 5
// IPv6, 20 domains under 1000 registered domains, 10 URLs, 5 e-mail
// addresses, 10 SHA-256, 5 SHA-1, 5 MD5.
std::vector<Indicator> random_indicators(std::mt19937_64& rng) {
  auto hex = [&](std::size_t digits) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < digits; ++i) out += kHex[rng() & 15];
    return out;
  };
  auto domain = [&] {
    return "h" + std::to_string(rng() % 100000) + ".d" + std::to_string(rng() % kBaseDomains) + ".example";
  };
  std::vector<Indicator> out;
  auto add = [&](IndicatorKind kind, std::string value, IndicatorOrigin origin = IndicatorOrigin::report_text) {
    out.push_back({kind, std::move(value), false, origin});
  };
  for (int i = 0; i < 40; ++i)
    add(IndicatorKind::ipv4, "10." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + "." +
                                 std::to_string(rng() % 256));
  for (int i = 0; i < 5; ++i) add(IndicatorKind::ipv6, "2001:db8:" + hex(4) + "::" + hex(4));
  for (int i = 0; i < 20; ++i) add(IndicatorKind::domain, domain());
  for (int i = 0; i < 10; ++i) add(IndicatorKind::url, "http://" + domain() + "/" + hex(12) + ".php");
  for (int i = 0; i < 5; ++i) add(IndicatorKind::email, "u" + hex(6) + "@" + domain());
  for (int i = 0; i < 10; ++i) add(IndicatorKind::sha256, hex(64), IndicatorOrigin::attachment);
  for (int i = 0; i < 5; ++i) add(IndicatorKind::sha1, hex(40), IndicatorOrigin::attachment);
  for (int i = 0; i < 5; ++i) add(IndicatorKind::md5, hex(32), IndicatorOrigin::attachment);
  return out;
}

Report bench_report(std::size_t n, std::vector<Indicator> indicators) {
  Report report;
  report.spool_id = "bench-" + std::to_string(n);
  report.raw_message = "From: reporter" + std::to_string(n % 97) + "@partner.example\r\nSubject: bench " +
                       std::to_string(n) + "\r\nMessage-ID: <bench." + std::to_string(n) +
                       "@partner.example>\r\n\r\nbody\r\n";
  report.queue = "incident-reports";
  report.classification.type = "information-gathering/scanner";
  report.classification.tlp = "AMBER";
  report.content.indicators = std::move(indicators);
  return report;
}

// Fills the store; returns a value of each kind that was stored (the needles).
Result<std::vector<std::string>> fill(Database& db, std::size_t total) {
  std::mt19937_64 rng(20261205);
  std::vector<std::string> needles;
  const std::size_t reports = (total + kPerMessage - 1) / kPerMessage;
  for (std::size_t first = 0; first < reports; first += kPerCommit) {
    auto tx = Transaction::begin(db);
    if (!tx) return tx.error();
    for (std::size_t n = first; n < std::min(reports, first + kPerCommit); ++n) {
      const Report report = bench_report(n, random_indicators(rng));
      if (n == reports / 2)  // from the middle: an IPv4 address, a domain's base, a SHA-256
        needles = {report.content.indicators[0].value, report.content.indicators[45].value,
                   report.content.indicators[80].value};
      auto ticket = assign_ticket(db, report, "BENCH");
      if (!ticket) return ticket.error();
      auto stored = store_indicators(db, report, ticket->number, kPerMessage);
      if (!stored) return stored.error();
    }
    if (auto st = tx->commit(); !st) return st.error();
  }
  return needles;
}

struct Timed {
  double median_ms = 0, p99_ms = 0;
  std::size_t hits = 0;
  bool more = false;
};

Result<Timed> time_search(Database& db, const std::string& value, std::size_t runs) {
  auto query = parse_search_value(value);
  if (!query) return query.error();
  std::vector<double> ms;
  Timed timed;
  for (std::size_t i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto found = search_indicators(db, *query, std::nullopt, 100);
    const auto stop = std::chrono::steady_clock::now();
    if (!found) return found.error();
    ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    timed.hits = found->hits.size();
    timed.more = found->more;
  }
  std::sort(ms.begin(), ms.end());
  timed.median_ms = ms[ms.size() / 2];
  timed.p99_ms = ms[std::min(ms.size() - 1, (ms.size() * 99) / 100)];
  return timed;
}

std::uintmax_t store_bytes(Database& db, const std::filesystem::path& dir) {
  (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::uintmax_t bytes = 0;
  for (const char* name : {"csirtgw.db", "csirtgw.db-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(dir / name, ec);
    if (!ec) bytes += size;
  }
  return bytes;
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--indicators" && has_value) options.indicators = std::stoul(argv[++i]);
    else if (arg == "--runs" && has_value) options.runs = std::stoul(argv[++i]);
    else if (arg == "--dir" && has_value) options.dir = argv[++i];
    else if (arg == "--keep") options.keep = true;
    else return std::nullopt;
  }
  if (options.indicators < kPerMessage || options.runs == 0) return std::nullopt;
  return options;
}

int run(const Options& options) {
  std::filesystem::path dir = options.dir;
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "csirtgw-search-bench-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) return std::perror("mkdtemp"), 1;
    dir = pattern;
  }
  auto db = open_store(dir);
  if (!db) return std::fprintf(stderr, "open: %s\n", db.error().message.c_str()), 1;
  const auto start = std::chrono::steady_clock::now();
  auto needles = fill(*db, options.indicators);
  if (!needles) return std::fprintf(stderr, "fill: %s\n", needles.error().message.c_str()), 1;
  const double fill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string domain = needles->at(1).substr(needles->at(1).find('.') + 1);  // "dN.example"
  std::printf("store: %s\nindicators: %zu in %zu reports, filled in %.1f s (%.0f indicators/s), %.1f MiB\n",
              dir.c_str(), options.indicators, options.indicators / kPerMessage, fill_s, options.indicators / fill_s,
              store_bytes(*db, dir) / 1048576.0);
  struct Case {
    const char* name;
    std::string value;
    bool expect_hits;
  };
  const std::vector<Case> cases = {{"exact IPv4", needles->at(0), true},
                                   {"CIDR /16", "10.20.0.0/16", true},
                                   {"CIDR /8 (40% of rows)", "10.0.0.0/8", true},
                                   {"domain + subdomains", domain, true},
                                   {"SHA-256", needles->at(2), true},
                                   {"miss (IPv4)", "192.0.2.1", false},
                                   {"miss (domain)", "nowhere.example", false}};
  std::printf("%-22s %-40s %10s %10s %6s\n", "search", "value", "median ms", "p99 ms", "hits");
  int status = 0;
  for (const auto& c : cases) {
    auto timed = time_search(*db, c.value, options.runs);
    if (!timed) return std::fprintf(stderr, "%s: %s\n", c.name, timed.error().message.c_str()), 1;
    std::printf("%-22s %-40s %10.3f %10.3f %5zu%s\n", c.name, c.value.c_str(), timed->median_ms, timed->p99_ms,
                timed->hits, timed->more ? "+" : "");
    if ((timed->hits > 0) != c.expect_hits) {
      std::fprintf(stderr, "%s: %zu hits, expected %s\n", c.name, timed->hits, c.expect_hits ? "some" : "none");
      status = 1;
    }
  }
  if (!options.keep && options.dir.empty()) std::filesystem::remove_all(dir);
  return status;
}

}  // namespace
}  // namespace csirtgw

int main(int argc, char** argv) {
  auto options = csirtgw::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "usage: csirtgw-search-bench [--indicators N (>= 100)] [--runs R] [--dir DIR] [--keep]\n");
    return 2;
  }
  return csirtgw::run(*options);
}
