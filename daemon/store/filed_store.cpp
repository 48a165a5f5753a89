// The store's private copies of filed messages (filed_store.h).
#include "filed_store.h"

namespace csirtgw {

Result<MaildirQueue> open_filed_store(const std::filesystem::path& state_dir) {
  return MaildirQueue::open(state_dir, "filed", MaildirQueue::Access::private_only);
}

std::filesystem::path filed_store_path(const std::filesystem::path& state_dir, const std::string& maildir_name) {
  return state_dir / "filed" / "new" / maildir_name;
}

}  // namespace csirtgw
