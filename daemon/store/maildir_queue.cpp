// Maildir queues: tmp, fsync, new (maildir_queue.h).
#include "maildir_queue.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "durable_file.h"
#include "unique_fd.h"

namespace csirtgw {
namespace {

// CRLF -> LF on the way to the file (a CR not followed by LF stays), through a
// 64 KiB buffer: the converted message never exists whole in memory.
Status write_with_lf(int fd, std::string_view text) {
  constexpr std::size_t kChunk = 64 * 1024;
  std::string chunk;
  chunk.reserve(kChunk);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t crlf = text.find("\r\n", pos);
    const std::size_t end = crlf == std::string_view::npos ? text.size() : crlf;
    std::string_view piece = text.substr(pos, end - pos);
    while (!piece.empty()) {
      const std::size_t n = std::min(piece.size(), kChunk - chunk.size());
      chunk.append(piece.substr(0, n));
      piece.remove_prefix(n);
      if (chunk.size() == kChunk) {
        if (auto st = write_all(fd, chunk); !st) return st;
        chunk.clear();
      }
    }
    pos = end == text.size() ? end : end + 1;  // the CR is dropped, the LF starts the next piece
  }
  return write_all(fd, chunk);
}

struct QueueModes {
  mode_t root = 0750;  // the queue's own directory
  mode_t dir = 0750;   // its tmp/, new/, cur/
  mode_t file = 0640;
  gid_t group = static_cast<gid_t>(-1);  // -1: leave the group as created
};

// The root's setgid bit is the administrator's switch for shared queues
// (packaging/dovecot/README.md): its group becomes every queue's group.
Result<QueueModes> modes_for(const std::filesystem::path& root, MaildirQueue::Access access) {
  if (access == MaildirQueue::Access::private_only) return QueueModes{0700, 0700, 0600};
  std::error_code ec;
  std::filesystem::create_directories(root, ec);  // its mode is the administrator's
  if (ec) return errno_error("mkdir " + root.string(), ec.value());
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return errno_error("stat " + root.string(), errno);
  if ((st.st_mode & S_ISGID) == 0) return QueueModes{};
  // Staff may read (0640 files: no one rewrites a report in place) and, in
  // tmp/new/cur, rename and unlink (flags, moves, expunges); the queue's own
  // directory is not writable, so no client can create a folder inside it.
  return QueueModes{02750, 02770, 0640, st.st_gid};
}

Status ensure_queue_directory(const std::filesystem::path& dir, mode_t mode, const QueueModes& modes) {
  if (auto st = ensure_directory(dir, mode); !st) return st;
  struct stat st {};
  if (modes.group != static_cast<gid_t>(-1) && ::stat(dir.c_str(), &st) == 0 && st.st_gid != modes.group) {
    // Made before the root was shared: takes the staff group (the daemon is a member).
    if (::chown(dir.c_str(), static_cast<uid_t>(-1), modes.group) != 0)
      return errno_error("chgrp " + dir.string(), errno);
    if (::chmod(dir.c_str(), mode) != 0) return errno_error("chmod " + dir.string(), errno);  // chown clears setgid
  }
  // chmod drops the setgid bit silently for a process outside the group: the
  // queue would not be shared, and staff could not read what is filed there.
  if ((mode & S_ISGID) != 0 && (::stat(dir.c_str(), &st) != 0 || (st.st_mode & S_ISGID) == 0))
    return Error::temporary(dir.string() + " cannot be shared with group " + std::to_string(modes.group) +
                            " of the setgid queues directory: csirtgw must be a member of that group");
  return ok_status();
}

}  // namespace

std::string maildir_base_name(long long epoch_seconds, const std::string& spool_id, const std::string& host) {
  std::string safe_host;
  for (char c : host) safe_host.push_back(c == '/' || c == ':' ? '_' : c);  // Maildir's reserved characters
  return std::to_string(epoch_seconds) + "." + spool_id + "." + safe_host;
}

Result<MaildirQueue> MaildirQueue::open(const std::filesystem::path& queues_root, const std::string& name,
                                       Access access) {
  auto modes = modes_for(queues_root, access);
  if (!modes) return modes.error();
  MaildirQueue queue;
  queue.name_ = name;
  queue.root_ = queues_root / name;
  queue.file_mode_ = modes->file;
  for (const char* sub : {"", "tmp", "new", "cur"})
    if (auto st = ensure_queue_directory(queue.root_ / sub, *sub ? modes->dir : modes->root, *modes); !st)
      return st.error();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(queue.root_ / "cur", ec)) {
    auto file = entry.path().filename().string();
    queue.in_cur_at_open_.insert(file.substr(0, file.find(':')));
  }
  if (ec) return errno_error("read " + (queue.root_ / "cur").string(), ec.value());
  return queue;
}

bool MaildirQueue::contains(const std::string& base_name) const {
  struct stat st {};
  return in_cur_at_open_.count(base_name) > 0 || ::stat((root_ / "new" / base_name).c_str(), &st) == 0;
}

Result<MaildirQueue::PendingDelivery> MaildirQueue::write_tmp(const std::string& base_name,
                                                              std::string_view content) const {
  PendingDelivery delivery{UniqueFd{}, root_ / "tmp" / base_name, root_ / "new" / base_name};
  delivery.fd.reset(::open(delivery.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, file_mode_));
  if (!delivery.fd.valid()) return errno_error("create " + delivery.tmp_path.string(), errno);
  // Exactly this mode, whatever the umask (`ticket refile` may run as root with 022).
  if (::fchmod(delivery.fd.get(), file_mode_) != 0) {
    const int err = errno;
    ::unlink(delivery.tmp_path.c_str());
    return errno_error("chmod " + delivery.tmp_path.string(), err);
  }
  if (auto st = write_all(delivery.fd.get(), content); !st) {
    ::unlink(delivery.tmp_path.c_str());
    return st.error();
  }
  return delivery;
}

Result<MaildirQueue::PendingDelivery> MaildirQueue::write_tmp_with_lf(const std::string& base_name,
                                                                      std::string_view head,
                                                                      std::string_view crlf_message) const {
  auto delivery = write_tmp(base_name, head);
  if (!delivery) return delivery;
  if (auto st = write_with_lf(delivery->fd.get(), crlf_message); !st) {
    ::unlink(delivery->tmp_path.c_str());
    return st.error();
  }
  return delivery;
}

Status MaildirQueue::publish(const PendingDelivery& delivery) {
  return rename_file(delivery.tmp_path, delivery.new_path);
}

Status MaildirQueue::sync_new() const { return sync_directory(root_ / "new"); }

}  // namespace csirtgw
