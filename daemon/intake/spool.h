// The intake spool: a directory per state, as in Postfix's queue.
//   spool/tmp/<id>    a message being received; never processed; removed at start-up
//   spool/ready/<id>  fsync'd, renamed, directory fsync'd: safe to answer 250
//                     once its `received` row is committed.
// A file in ready/ without a committed row was never acknowledged and is removed
// at start-up. Once filed, a message is not deleted but moved, as received, to
//   originals/<YYYY-MM-DD>/<id>   the evidence copy (the raw ciphertext, later)
// which also spares the file system an inode freed per message: on ext4 without
// a journal, allocating next to many recently freed inodes costs a scan each.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "result.h"
#include "sha256.h"
#include "unique_fd.h"

namespace csirtgw {

class SpoolDirectory {
 public:
  // `root` is <state>/spool; originals go to <state>/originals.
  explicit SpoolDirectory(std::filesystem::path root)
      : root_(root), originals_(root.parent_path() / "originals") {}
  Status prepare() const;  // creates tmp/ and ready/, 0700
  std::filesystem::path tmp_dir() const { return root_ / "tmp"; }
  std::filesystem::path ready_dir() const { return root_ / "ready"; }
  std::filesystem::path ready_path(const std::string& spool_id) const { return ready_dir() / spool_id; }
  // Moves a filed message from ready/ into originals/<day of received_at>/.
  Status archive(const std::string& spool_id, const std::string& received_at);

  // Start-up: removes everything in tmp/ (never acknowledged).
  Status clear_tmp() const;
  std::vector<std::string> ready_ids() const;

 private:
  std::filesystem::path root_;
  std::filesystem::path originals_;
  std::string last_day_created_;
};

// A message being received into spool/tmp. Move-only; the temp file is removed
// unless commit_rename() moved it to ready/.
class SpoolFile {
 public:
  static Result<SpoolFile> create(const SpoolDirectory& spool);
  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&&) = delete;
  ~SpoolFile();

  // Appends message bytes and feeds them to the content hash.
  Status append(std::string_view bytes);
  // tmp → ready; the caller fsyncs ready/ afterwards.
  Status commit_rename(const SpoolDirectory& spool);
  // Removes the file wherever it is (the row was not committed).
  void discard();
  // The `received` row is committed: the file now belongs to the spool.
  void keep() {
    fd_.reset();
    path_.clear();
  }

  const std::string& id() const { return id_; }
  int fd() const { return fd_.get(); }
  std::int64_t size() const { return size_; }
  std::string content_hash() { return hash_.hex_digest(); }

 private:
  SpoolFile() = default;
  UniqueFd fd_;
  std::string id_;
  std::filesystem::path path_;
  Sha256 hash_;
  std::int64_t size_ = 0;
};

// A unique, path-safe id: microseconds since the epoch and a counter, in hex.
std::string new_spool_id();

}  // namespace csirtgw
