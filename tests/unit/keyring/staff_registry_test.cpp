// The staff key registry (keyring/staff_registry.h) in a real store: adding,
// listing, removing and adding again; a key is a reporter's or a staff
// member's, never both, refused both ways with a message that says so.
#include <doctest/doctest.h>

#include "key_registry.h"
#include "staff_registry.h"
#include "store.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

constexpr const char* kStaffFpr = "AAAABBBBCCCCDDDDEEEEFFFF0000111122223333";
constexpr const char* kReporterFpr = "1111222233334444555566667777888899990000";

Status in_transaction(Database& db, const std::function<Status()>& work) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto st = work(); !st) return st;
  return tx->commit();
}

TEST_CASE("staff registry: add, find, list, remove, add again") {
  testing::TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE(db.ok());
  StaffMember ann{"aaaabbbb ccccdddd eeeeffff 00001111 22223333", "Ann@CSIRT.example", "Ann Analyst",
                  "2026-12-05T01:00:00Z", "root", "", ""};
  REQUIRE(in_transaction(*db, [&] { return add_staff_member(*db, ann); }).ok());

  auto found = staff_member_for(*db, kStaffFpr);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK(found.value()->email == "ann@csirt.example");
  CHECK(found.value()->name == "Ann Analyst");
  CHECK(found.value()->active());
  CHECK(is_active_staff_key(*db, kStaffFpr).value());

  auto twice = in_transaction(*db, [&] { return add_staff_member(*db, ann); });
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message.find("already the staff key of ann@csirt.example") != std::string::npos);

  REQUIRE(in_transaction(*db, [&] { return remove_staff_member(*db, kStaffFpr, "root", "2026-12-05T02:00:00Z"); }).ok());
  auto removed = staff_member_for(*db, kStaffFpr);
  REQUIRE(removed->has_value());
  CHECK_FALSE(removed.value()->active());
  CHECK(removed.value()->removed_by == "root");
  CHECK_FALSE(is_active_staff_key(*db, kStaffFpr).value());
  auto again = in_transaction(*db, [&] { return remove_staff_member(*db, kStaffFpr, "root", "now"); });
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message.find("no active staff key") != std::string::npos);

  REQUIRE(in_transaction(*db, [&] { return add_staff_member(*db, ann); }).ok());  // back, active again
  auto listed = list_staff(*db);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().active());
  CHECK_FALSE(staff_member_for(*db, kReporterFpr).value().has_value());
}

TEST_CASE("staff registry: a key is never both a reporter's and a staff member's") {
  testing::TempDir dir;
  auto db = open_store(dir.path());
  REQUIRE(db.ok());
  REQUIRE(in_transaction(*db, [&] {
            return register_key(*db, {kReporterFpr, "reporter@partner.example", "Partner", "t", "root"});
          }).ok());
  auto as_staff = in_transaction(*db, [&] {
    return add_staff_member(*db, {kReporterFpr, "ann@csirt.example", "Ann", "t", "root", "", ""});
  });
  REQUIRE_FALSE(as_staff.ok());
  CHECK(as_staff.error().kind == ErrorClass::bad_input);
  CHECK(as_staff.error().message.find("is a reporter's key") != std::string::npos);

  REQUIRE(in_transaction(*db, [&] {
            return add_staff_member(*db, {kStaffFpr, "ann@csirt.example", "Ann", "t", "root", "", ""});
          }).ok());
  auto as_reporter = in_transaction(*db, [&] {
    return register_key(*db, {kStaffFpr, "ann@partner.example", "", "t", "root"});
  });
  REQUIRE_FALSE(as_reporter.ok());
  CHECK(as_reporter.error().message.find("is a staff key") != std::string::npos);
  CHECK(list_registered_keys(*db).value().size() == 1);

  // Once removed from the staff, the key may be a reporter's.
  REQUIRE(in_transaction(*db, [&] { return remove_staff_member(*db, kStaffFpr, "root", "t2"); }).ok());
  CHECK(in_transaction(*db, [&] { return register_key(*db, {kStaffFpr, "ann@partner.example", "", "t", "root"}); }).ok());
}

}  // namespace
}  // namespace csirtgw
