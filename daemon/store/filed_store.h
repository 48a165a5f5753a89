// The store's own copy of every filed message: <state>/filed/new/<maildir name>,
// 0600 in 0700 directories, written and fsync'd with the queue copy. The queue
// copy belongs to the staff's mail clients, which may expunge or move it; this
// one is never shown to a client, so `ticket refile` can always put a report
// back. It must never be served over IMAP nor made group-readable.
#pragma once

#include <filesystem>
#include <string>

#include "maildir_queue.h"
#include "result.h"

namespace csirtgw {

Result<MaildirQueue> open_filed_store(const std::filesystem::path& state_dir);
std::filesystem::path filed_store_path(const std::filesystem::path& state_dir, const std::string& maildir_name);

}  // namespace csirtgw
