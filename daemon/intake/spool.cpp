// The intake spool directories (spool.h).
#include "spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <utility>

#include "durable_file.h"

namespace csirtgw {

std::string new_spool_id() {
  static std::atomic<std::uint32_t> counter{std::random_device{}()};
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%013llx%05x", static_cast<unsigned long long>(micros),
                counter.fetch_add(1) & 0xfffffu);
  return buf;
}

Status SpoolDirectory::prepare() const {
  if (auto st = ensure_directory(root_, 0700); !st) return st;
  if (auto st = ensure_directory(tmp_dir(), 0700); !st) return st;
  return ensure_directory(ready_dir(), 0700);
}

Status SpoolDirectory::clear_tmp() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(tmp_dir(), ec)) std::filesystem::remove(entry.path(), ec);
  if (ec) return errno_error("clean " + tmp_dir().string(), ec.value());
  return ok_status();
}

Status SpoolDirectory::archive(const std::string& spool_id, const std::string& received_at) {
  const std::string day = received_at.size() >= 10 ? received_at.substr(0, 10) : "undated";
  const auto dir = originals_ / day;
  if (day != last_day_created_) {
    if (auto st = ensure_directory(originals_, 0700); !st) return st;
    if (auto st = ensure_directory(dir, 0700); !st) return st;
    last_day_created_ = day;
  }
  return rename_file(ready_path(spool_id), dir / spool_id);
}

std::vector<std::string> SpoolDirectory::ready_ids() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(ready_dir(), ec))
    ids.push_back(entry.path().filename().string());
  return ids;
}

Result<SpoolFile> SpoolFile::create(const SpoolDirectory& spool) {
  SpoolFile file;
  file.id_ = new_spool_id();
  file.path_ = spool.tmp_dir() / file.id_;
  file.fd_.reset(::open(file.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!file.fd_.valid()) return errno_error("create spool file", errno);
  return file;
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : fd_(std::move(other.fd_)),
      id_(std::move(other.id_)),
      path_(std::exchange(other.path_, {})),
      hash_(std::move(other.hash_)),
      size_(other.size_) {}

SpoolFile::~SpoolFile() {
  if (!path_.empty()) discard();
}

Status SpoolFile::append(std::string_view bytes) {
  hash_.update(bytes);
  size_ += static_cast<std::int64_t>(bytes.size());
  return write_all(fd_.get(), bytes);
}

Status SpoolFile::commit_rename(const SpoolDirectory& spool) {
  auto target = spool.ready_path(id_);
  if (auto st = rename_file(path_, target); !st) return st;
  path_ = target;
  return ok_status();
}

void SpoolFile::discard() {
  fd_.reset();
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace csirtgw
