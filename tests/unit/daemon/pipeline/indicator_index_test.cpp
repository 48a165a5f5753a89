// Indicators in a real store (daemon/pipeline/indicator_index.cpp): stored per
// ticket and message with the ticket's assignment, once per spool id, capped;
// found by address (and inside CIDR blocks, and in stored blocks), by domain
// with its subdomains (and the e-mail addresses at them), by URL prefix,
// e-mail address, hash and CVE id.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "audit_log.h"
#include "indicator_index.h"
#include "store.h"
#include "temp_dir.h"
#include "ticket_store.h"

namespace csirtgw {
namespace {

using testing::TempDir;

Report report_with(const std::string& spool_id, const std::vector<Indicator>& indicators) {
  Report report;
  report.spool_id = spool_id;
  report.raw_message = "From: reporter@partner.example\r\nSubject: report " + spool_id +
                       "\r\nMessage-ID: <" + spool_id + "@partner.example>\r\n\r\nbody\r\n";
  report.queue = "incident-reports";
  report.classification.type = "malicious-code/malware-distribution";
  report.classification.tlp = "AMBER";
  report.content.indicators = indicators;
  return report;
}

// Files `report` as the worker does: ticket and indicators in one transaction.
std::int64_t file(Database& db, const Report& report, std::size_t max = 1000) {
  auto tx = Transaction::begin(db);
  REQUIRE(tx.ok());
  auto ticket = assign_ticket(db, report, "XYZ-CERT");
  REQUIRE_MESSAGE(ticket.ok(), ticket.error().message);
  auto stored = store_indicators(db, report, ticket->number, max);
  REQUIRE_MESSAGE(stored.ok(), stored.error().message);
  REQUIRE(tx->commit().ok());
  return ticket->number;
}

// "ticket kind value" of each hit.
std::set<std::string> search(Database& db, const std::string& value, std::optional<std::string> kind = std::nullopt) {
  auto query = parse_search_value(value);
  REQUIRE_MESSAGE(query.ok(), query.error().message);
  auto found = search_indicators(db, *query, kind, 100);
  REQUIRE_MESSAGE(found.ok(), found.error().message);
  std::set<std::string> out;
  for (const auto& hit : found->hits) out.insert(std::to_string(hit.ticket) + " " + hit.kind + " " + hit.value);
  return out;
}

std::int64_t rows(Database& db) {
  auto stmt = db.prepare("SELECT COUNT(*) FROM indicators");
  REQUIRE(stmt.ok());
  REQUIRE(stmt->step().ok());
  return stmt->integer(0);
}

Indicator ind(IndicatorKind kind, const std::string& value, IndicatorOrigin origin = IndicatorOrigin::report_text) {
  return Indicator{kind, value, false, origin};
}

const std::string kSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Filed {
  TempDir dir{"csirtgw-indicators"};
  Database db;
  std::int64_t t1 = 0, t2 = 0, t3 = 0;
  Filed() {
    auto opened = open_store(dir.path());
    REQUIRE_MESSAGE(opened.ok(), opened.error().message);
    db = std::move(opened.value());
    t1 = file(db, report_with("s1", {ind(IndicatorKind::ipv4, "192.0.2.10"), ind(IndicatorKind::domain, "www.example.org"),
                                     ind(IndicatorKind::url, "http://www.example.org/login.php?id=1"),
                                     ind(IndicatorKind::cve, "CVE-2021-44228"),
                                     ind(IndicatorKind::timestamp, "2026-11-23T17:06:21Z")}));
    t2 = file(db, report_with("s2", {ind(IndicatorKind::ipv4, "192.0.3.7"), ind(IndicatorKind::domain, "example.org"),
                                     ind(IndicatorKind::email, "Phisher@mail.example.org"),
                                     ind(IndicatorKind::sha256, kSha256, IndicatorOrigin::attachment),
                                     ind(IndicatorKind::ipv6, "2001:db8::5")}));
    t3 = file(db, report_with("s3", {ind(IndicatorKind::cidr, "198.51.100.0/24"), ind(IndicatorKind::domain, "notexample.org"),
                                     ind(IndicatorKind::ipv4, "192.0.2.200", IndicatorOrigin::forwarded_original)}));
  }
};

std::string t(std::int64_t n) { return std::to_string(n); }

TEST_CASE("stored indicators are found by address, block, domain, URL, e-mail, hash and CVE") {
  Filed f;
  CHECK(rows(f.db) == 12);  // timestamps are not stored
  CHECK(search(f.db, "192.0.2.10") == std::set<std::string>{t(f.t1) + " ip 192.0.2.10"});
  CHECK(search(f.db, "192.0.2.0/24") ==
        std::set<std::string>{t(f.t1) + " ip 192.0.2.10", t(f.t3) + " ip 192.0.2.200"});
  CHECK(search(f.db, "192.0.0.0/16") == std::set<std::string>{t(f.t1) + " ip 192.0.2.10", t(f.t2) + " ip 192.0.3.7",
                                                               t(f.t3) + " ip 192.0.2.200"});
  CHECK(search(f.db, "192.0.2.11").empty());
  // An address inside a stored block finds the block; a block inside it too; a wider one holds it.
  CHECK(search(f.db, "198.51.100.99") == std::set<std::string>{t(f.t3) + " cidr 198.51.100.0/24"});
  CHECK(search(f.db, "198.51.100.128/25") == std::set<std::string>{t(f.t3) + " cidr 198.51.100.0/24"});
  CHECK(search(f.db, "198.51.0.0/16") == std::set<std::string>{t(f.t3) + " cidr 198.51.100.0/24"});
  CHECK(search(f.db, "2001:db8::/32") == std::set<std::string>{t(f.t2) + " ip 2001:db8::5"});
  CHECK(search(f.db, "example.org") == std::set<std::string>{t(f.t1) + " domain www.example.org",
                                                              t(f.t2) + " domain example.org",
                                                              t(f.t2) + " email phisher@mail.example.org"});
  CHECK(search(f.db, "www.example.org") == std::set<std::string>{t(f.t1) + " domain www.example.org"});
  CHECK(search(f.db, "example.org", "email") == std::set<std::string>{t(f.t2) + " email phisher@mail.example.org"});
  CHECK(search(f.db, "http://www.example.org/login") ==
        std::set<std::string>{t(f.t1) + " url http://www.example.org/login.php?id=1"});
  CHECK(search(f.db, "http://www.example.org/logout").empty());
  CHECK(search(f.db, "PHISHER@mail.example.org") == std::set<std::string>{t(f.t2) + " email phisher@mail.example.org"});
  CHECK(search(f.db, kSha256) == std::set<std::string>{t(f.t2) + " sha256 " + kSha256});
  CHECK(search(f.db, "cve-2021-44228") == std::set<std::string>{t(f.t1) + " cve CVE-2021-44228"});
  CHECK(search(f.db, "CVE-2021-44229").empty());
}

TEST_CASE("a hit names its ticket's queue, state, label, origin and message") {
  Filed f;
  auto found = search_indicators(f.db, parse_search_value(kSha256).value(), std::nullopt, 10);
  REQUIRE(found.ok());
  REQUIRE(found->hits.size() == 1);
  const auto& hit = found->hits[0];
  CHECK(hit.ticket == f.t2);
  CHECK(hit.origin == "attachment");
  CHECK(hit.queue == "incident-reports");
  CHECK(hit.state == "open");
  CHECK(hit.tlp == "AMBER");
  CHECK(hit.spool_id == "s2");
  CHECK(hit.when.size() >= 19);
}

TEST_CASE("hits come newest first, at most the limit, saying there are more") {
  Filed f;
  auto found = search_indicators(f.db, parse_search_value("192.0.0.0/16").value(), std::nullopt, 2);
  REQUIRE(found.ok());
  CHECK(found->more);
  REQUIRE(found->hits.size() == 2);
  CHECK(found->hits[0].ticket == f.t3);
  CHECK(found->hits[1].ticket == f.t2);
  // A wide block (/8 and wider) is looked for among the newest rows first: the same newest hits.
  auto wide = search_indicators(f.db, parse_search_value("192.0.0.0/8").value(), std::nullopt, 2);
  REQUIRE(wide.ok());
  CHECK(wide->more);
  REQUIRE(wide->hits.size() == 2);
  CHECK(wide->hits[0].value == "192.0.2.200");
  CHECK(wide->hits[1].value == "192.0.3.7");
  CHECK(search(f.db, "192.0.0.0/8") == search(f.db, "192.0.0.0/16"));
  CHECK(search(f.db, "0.0.0.0/0").size() == 4);  // every IPv4 address and block, no IPv6
}

TEST_CASE("indicators are stored once per spool id, and at most the configured number") {
  Filed f;
  // Filed again after a crash: the same ticket, no second set of rows.
  const auto before = rows(f.db);
  CHECK(file(f.db, report_with("s1", {ind(IndicatorKind::ipv4, "192.0.2.10")})) == f.t1);
  CHECK(rows(f.db) == before);

  std::vector<Indicator> many;
  for (int i = 0; i < 10; ++i) many.push_back(ind(IndicatorKind::ipv4, "203.0.113." + std::to_string(i)));
  const auto capped = file(f.db, report_with("s4", many), 3);
  CHECK(rows(f.db) == before + 3);
  CHECK(search(f.db, "203.0.113.0/24").size() == 3);
  auto stmt = f.db.prepare("SELECT detail FROM audit WHERE event = 'indicators-capped' AND spool_id = 's4'");
  REQUIRE(stmt.ok());
  REQUIRE(stmt->step().value());
  CHECK(stmt->text(0).find("\"not_stored\":7") != std::string::npos);
  CHECK(stmt->text(0).find("\"ticket\":" + std::to_string(capped)) != std::string::npos);
  CHECK(verify_audit_chain(f.db).value().intact);
}

}  // namespace
}  // namespace csirtgw
