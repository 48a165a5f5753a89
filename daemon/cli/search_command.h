// `csirtgw search VALUE`: the stored indicators of every ticket matching an
// address (also inside a CIDR block), a domain (and its subdomains), a URL, an
// e-mail address, a hash or a CVE id (daemon/pipeline/indicator_index.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace csirtgw {

struct SearchOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::string value;
  std::optional<std::string> kind;  // only stored indicators of this kind
  std::size_t limit = 100;
  bool json = false;
};

// The stored kinds --kind accepts.
inline constexpr const char* kSearchKinds[] = {"ip", "cidr", "domain", "url", "email", "sha256", "sha1", "md5", "cve"};

// Exit 0 (also with no hits), 2 for a value that is no indicator, 1 when the
// store cannot be read.
int run_search(const SearchOptions& options);

}  // namespace csirtgw
