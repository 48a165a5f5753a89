// Durable file steps as values: write, fsync, rename, read whole (durable_file.h).
#include "durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "unique_fd.h"

namespace csirtgw {

Error errno_error(std::string_view what, int err) {
  std::string message = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
    case EINTR:
      return Error::temporary(std::move(message));
    default:
      return Error::internal(std::move(message));
  }
}

Status write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("write", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Status sync_file(int fd) {
  if (::fsync(fd) != 0) return errno_error("fsync", errno);
  return ok_status();
}

Status sync_directory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + dir.string(), errno);
  return sync_file(fd.get());
}

Status ensure_directory(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return errno_error("mkdir " + dir.string(), ec.value());
  if (::chmod(dir.c_str(), mode) != 0) return errno_error("chmod " + dir.string(), errno);
  return ok_status();
}

Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) return errno_error("rename " + from.string(), errno);
  return ok_status();
}

// Read into one buffer of the file's size: a stream buffer plus its str() copy
// would hold a large message two or three times over.
Result<std::string> read_whole_file(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return Error::bad_input("missing");
    return Error::temporary("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::temporary("cannot stat " + path.string() + ": " + std::strerror(errno));
  std::string content;
  content.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::temporary("read error on " + path.string() + ": " + std::strerror(errno));
    if (n == 0) break;  // shorter than it was a moment ago (never for a committed spool file)
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return content;
}

}  // namespace csirtgw
