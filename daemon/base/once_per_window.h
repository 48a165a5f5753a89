// One warning per window: a condition that holds for a while (an acknowledgement
// cap reached) is logged when it starts to bite, not for every message it
// touches; each occurrence is audited anyway. Thread-safe. Nothing else.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace csirtgw {

class OncePerWindow {
 public:
  // True for the first call with `key`, then again only once `window` seconds
  // (unix time `now`) have passed since the last true.
  bool first_in_window(const std::string& key, std::int64_t now, std::int64_t window) {
    std::lock_guard lock(mutex_);
    if (auto it = quiet_until_.find(key); it != quiet_until_.end() && now < it->second) return false;
    if (quiet_until_.size() >= kPruneAt) std::erase_if(quiet_until_, [now](const auto& kv) { return kv.second <= now; });
    quiet_until_[key] = now + window;
    return true;
  }

 private:
  // Keys may be many (one per recipient domain): expired ones go when this many are held.
  static constexpr std::size_t kPruneAt = 1024;
  std::mutex mutex_;
  std::map<std::string, std::int64_t> quiet_until_;  // key -> unix time it may be warned about again
};

}  // namespace csirtgw
