// One queue = one Maildir (<state>/queues/<name>/{tmp,new,cur}), readable in any
// mail client. Delivery is tmp → fsync → rename into new/; the caller fsyncs new/
// once per batch before recording the filing. Names are derived from the spool id,
// so filing the same message again after a crash finds it instead of copying it.
// Shared queues (IMAP): when the queues root is a setgid directory, its group is
// the staff's and each queue is created setgid (02750, its tmp/new/cur 02770,
// files 0640), so Dovecot, logged in as each staff member, can read, flag and
// move messages but create no folder in a queue; a private Maildir (the
// store's filed copies) stays 0700/0600.
#pragma once

#include <filesystem>
#include <sys/types.h>

#include <string>
#include <unordered_set>

#include "result.h"
#include "unique_fd.h"

namespace csirtgw {

class MaildirQueue {
 public:
  // shared_with_root_group: group rw when queues_root is setgid (see above);
  // private_only: 0700 directories, 0600 files, whatever the root is.
  enum class Access { shared_with_root_group, private_only };
  static Result<MaildirQueue> open(const std::filesystem::path& queues_root, const std::string& name,
                                   Access access = Access::shared_with_root_group);

  const std::string& name() const { return name_; }
  // Whether a message with this base name is already in new/ or cur/.
  bool contains(const std::string& base_name) const;
  // A message written to tmp/, not yet visible to clients.
  struct PendingDelivery {
    UniqueFd fd;
    std::filesystem::path tmp_path;
    std::filesystem::path new_path;
  };
  // Step 1: write tmp/<name>. Step 2 (the caller, for a whole batch): fsync the
  // descriptors. Step 3: publish() renames into new/. Step 4: sync_new().
  Result<PendingDelivery> write_tmp(const std::string& base_name, std::string_view content) const;
  // Step 1 for a message as received: `head` (csirtgw's own LF header lines) as
  // it is, then `crlf_message` with every CRLF turned into LF (the Maildir
  // convention; the same bytes as to_unix_line_ends), converted and written in
  // bounded chunks so that a large message is never copied whole in memory.
  Result<PendingDelivery> write_tmp_with_lf(const std::string& base_name, std::string_view head,
                                            std::string_view crlf_message) const;
  static Status publish(const PendingDelivery& delivery);
  Status sync_new() const;

 private:
  std::string name_;
  std::filesystem::path root_;
  mode_t file_mode_ = 0640;
  // Base names found in cur/ when the queue was opened: a client may have moved a
  // message there between a crash and the restart.
  std::unordered_set<std::string> in_cur_at_open_;
};

// "<epoch>.<spool-id>.<host>", the Maildir convention for unique names.
std::string maildir_base_name(long long epoch_seconds, const std::string& spool_id, const std::string& host);

}  // namespace csirtgw
