// parse_policy (filters/policy/policy.h) over arbitrary TOML, checked against the
// embedded RSIT taxonomy; with option bit 0 the embedded default policy is
// parsed against an arbitrary taxonomy instead.
//
// Input: byte 0 = options, the rest = the TOML text.
//
// Checked: never throws; a policy without errors names only taxonomy types in
// its hints and keyword rules; the constituency lookups and parse_network accept
// any text.
#include <string>
#include <string_view>

#include "embedded_schemas.h"
#include "fuzz_common.h"
#include "policy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  std::string_view text = fuzz::as_text(data, size);
  const std::uint8_t options = fuzz::take_byte(text);

  const LoadedPolicy loaded = (options & 1) ? parse_policy(default_policy_text(), text)
                                            : parse_policy(text, rsit_taxonomy_text());
  const Policy& p = loaded.policy;
  for (const char* probe : {"192.0.2.1", "2001:db8::1", "10.0.0.1", "example.org", "a.b.example.net", ""}) {
    (void)p.in_constituency_ip(probe);
    (void)p.in_constituency_domain(probe);
  }
  (void)p.in_constituency_ip(text);
  (void)p.in_constituency_domain(text);
  if (auto net = parse_network(text)) {
    FUZZ_CHECK(net->family == 4 || net->family == 6, "network family");
    FUZZ_CHECK(net->prefix >= 0 && net->prefix <= (net->family == 4 ? 32 : 128), "prefix out of range");
  }
  (void)tlp_rank(text);
  if (loaded.errors.empty()) {
    for (const auto& h : p.hints) FUZZ_CHECK(p.taxonomy.count(h.type), "hint type not in the taxonomy");
    for (const auto& k : p.keywords) FUZZ_CHECK(p.taxonomy.count(k.type), "keyword type not in the taxonomy");
  }
  return 0;
}
