// The daemon's named loggers exist in production (serve's setup_logging); code
// under test that logs (a quarantine, say) finds them here too, writing nowhere.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace {

const bool registered = [] {
  for (const char* name : {"main", "intake", "worker", "outbound", "audit"})
    if (!spdlog::get(name)) spdlog::create<spdlog::sinks::null_sink_mt>(name);
  return true;
}();

}  // namespace
