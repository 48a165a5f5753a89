// Maildir queues (daemon/store/maildir_queue.cpp) in a temp directory: layout, delivery
// through tmp/ into new/, recognising a message already filed (new/ or cur/ with
// flags), and the Maildir base name.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "durable_file.h"
#include "temp_dir.h"
#include "maildir_queue.h"
#include "message_header.h"

namespace csirtgw {
namespace {

using QueueDir = testing::TempDir;

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  return names;
}

// The four delivery steps the filing worker takes, for one message.
Status deliver(const MaildirQueue& queue, const std::string& base, std::string_view content) {
  auto pending = queue.write_tmp(base, content);
  if (!pending) return pending.error();
  if (auto st = sync_file(pending->fd.get()); !st) return st;
  if (auto st = MaildirQueue::publish(pending.value()); !st) return st;
  return queue.sync_new();
}

}  // namespace

TEST_CASE("maildir_base_name") {
  struct Row {
    long long epoch;
    std::string spool_id;
    std::string host;
    std::string name;
  };
  const Row rows[] = {
      {1700000000, "18b2c3d4e5f6-1", "gw.csirt.example", "1700000000.18b2c3d4e5f6-1.gw.csirt.example"},
      {0, "a", "h", "0.a.h"},
      {1700000000, "id", "host:2525", "1700000000.id.host_2525"},  // ':' separates Maildir flags
      {1700000000, "id", "a/b", "1700000000.id.a_b"},               // '/' would leave the directory
      {1700000000, "id", "::1/x:", "1700000000.id.__1_x_"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.host);
    CHECK(maildir_base_name(row.epoch, row.spool_id, row.host) == row.name);
  }
}

TEST_CASE("maildir queue: open creates the Maildir") {
  QueueDir dir;
  auto queue = MaildirQueue::open(dir.path() / "queues", "incoming");
  REQUIRE_MESSAGE(queue.ok(), queue.error().message);
  CHECK(queue->name() == "incoming");
  for (const char* sub : {"", "tmp", "new", "cur"}) {
    CAPTURE(sub);
    const auto path = dir.path() / "queues" / "incoming" / sub;
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 0777) == 0750);
  }
  // Opening again is harmless.
  CHECK(MaildirQueue::open(dir.path() / "queues", "incoming").ok());
}

TEST_CASE("maildir queue: deliver and contains") {
  QueueDir dir;
  const auto root = dir.path() / "incoming";
  auto queue = MaildirQueue::open(dir.path(), "incoming");
  REQUIRE(queue.ok());
  const std::string base = maildir_base_name(1700000000, "spool1", "gw.test");
  const std::string content = "Return-Path: <a@b.example>\nSubject: x\n\nbody\n";

  CHECK_FALSE(queue->contains(base));
  REQUIRE(deliver(queue.value(), base, content).ok());
  CHECK(queue->contains(base));
  CHECK_FALSE(queue->contains(maildir_base_name(1700000000, "spool2", "gw.test")));
  CHECK(read_file(root / "new" / base) == content);
  CHECK(names_in(root / "tmp").empty());  // tmp → new by rename
  CHECK(names_in(root / "new") == std::vector<std::string>{base});

  SUBCASE("delivering the same name again replaces, never duplicates") {
    REQUIRE(deliver(queue.value(), base, "second\n").ok());
    CHECK(names_in(root / "new") == std::vector<std::string>{base});
    CHECK(read_file(root / "new" / base) == "second\n");
  }
  SUBCASE("an empty message") {
    const std::string empty_base = maildir_base_name(1700000001, "spool3", "gw.test");
    REQUIRE(deliver(queue.value(), empty_base, "").ok());
    CHECK(queue->contains(empty_base));
    CHECK(read_file(root / "new" / empty_base) == "");
  }
}

TEST_CASE("maildir queue: write_tmp_with_lf writes head + to_unix_line_ends(message)") {
  QueueDir dir;
  auto queue = MaildirQueue::open(dir.path(), "incoming");
  REQUIRE(queue.ok());
  const std::string head = "Return-Path: <a@b.example>\nX-Csirtgw-Queue: incoming\n";
  // Around the 64 KiB chunk boundary: a CRLF split across it, a lone CR, a
  // line longer than a chunk, and a message ending in CR.
  std::string big_line(200000, 'x');
  const std::vector<std::string> messages = {
      "",
      "Subject: x\r\n\r\nbody\r\n",
      "no line end",
      "lone\rcr\r\r\n\n\r",
      std::string(65535, 'a') + "\r\n" + std::string(10, 'b') + "\r\n",
      std::string(65536, 'a') + "\r\n",
      std::string(65534, 'a') + "\r\n\r\n",
      "a\r\n" + big_line + "\r\n" + big_line + "\rend\r",
  };
  int i = 0;
  for (const auto& message : messages) {
    CAPTURE(i);
    const std::string base = maildir_base_name(1700000000, "lf" + std::to_string(i++), "gw.test");
    auto pending = queue->write_tmp_with_lf(base, head, message);
    REQUIRE_MESSAGE(pending.ok(), pending.error().message);
    CHECK(read_file(pending->tmp_path) == head + to_unix_line_ends(message));
  }
}

TEST_CASE("maildir queue: a written but unpublished message is invisible") {
  QueueDir dir;
  const auto root = dir.path() / "incoming";
  auto queue = MaildirQueue::open(dir.path(), "incoming");
  REQUIRE(queue.ok());
  const std::string base = maildir_base_name(1700000000, "pending", "gw.test");
  auto pending = queue->write_tmp(base, "content\n");
  REQUIRE(pending.ok());
  CHECK(pending->fd.valid());
  CHECK(pending->tmp_path == root / "tmp" / base);
  CHECK(pending->new_path == root / "new" / base);
  CHECK(read_file(pending->tmp_path) == "content\n");
  CHECK_FALSE(queue->contains(base));
  CHECK(names_in(root / "new").empty());
  REQUIRE(MaildirQueue::publish(pending.value()).ok());
  CHECK(queue->contains(base));
  CHECK(names_in(root / "tmp").empty());
  CHECK(read_file(root / "new" / base) == "content\n");
}

TEST_CASE("maildir queue: a message a client moved to cur/ is still recognised") {
  QueueDir dir;
  const auto root = dir.path() / "incoming";
  const std::string seen = maildir_base_name(1700000000, "seen", "gw.test");
  const std::string flagged = maildir_base_name(1700000000, "flagged", "gw.test");
  const std::string plain = maildir_base_name(1700000000, "plain", "gw.test");
  {
    auto queue = MaildirQueue::open(dir.path(), "incoming");
    REQUIRE(queue.ok());
    for (const auto& base : {seen, flagged, plain}) REQUIRE(deliver(queue.value(), base, "m\n").ok());
  }
  // A mail client reads them: new/ → cur/ with an info suffix.
  std::filesystem::rename(root / "new" / seen, root / "cur" / (seen + ":2,S"));
  std::filesystem::rename(root / "new" / flagged, root / "cur" / (flagged + ":2,FRS"));
  std::filesystem::rename(root / "new" / plain, root / "cur" / plain);

  auto reopened = MaildirQueue::open(dir.path(), "incoming");
  REQUIRE(reopened.ok());
  struct Row {
    std::string base;
    bool contained;
  };
  const Row rows[] = {
      {seen, true}, {flagged, true}, {plain, true}, {seen + ":2,S", false}, {"1700000000.other.gw.test", false}};
  for (const auto& row : rows) {
    CAPTURE(row.base);
    CHECK(reopened->contains(row.base) == row.contained);
  }
}

}  // namespace csirtgw
