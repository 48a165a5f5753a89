// The team's policy as data (schemas/default-policy.toml, or paths.policy):
// ticket prefix, constituency, default TLP, classification hints and keyword
// rules, the RFC 2350 Appendix E 4.1 priority table and the routing rules —
// checked against the RSIT taxonomy (schemas/rsit-taxonomy.toml) when loaded,
// every error with its line.
#pragma once

#include "label_folding.h"  // squashed_class_name: how class names compare

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "form_schema.h"

namespace csirtgw {

struct Network {
  int family = 4;  // 4 or 6
  std::array<unsigned char, 16> address{};
  int prefix = 0;
  bool contains(std::string_view ip) const;
};
std::optional<Network> parse_network(std::string_view cidr);

struct HintRule {
  std::vector<std::string> values;  // lower case
  std::string type;
};
struct KeywordRule {
  std::vector<std::string> words;  // lower case
  std::string type;
};
struct PriorityLevel {
  int level = 0;
  std::string name;
  std::vector<std::string> types;
  std::vector<std::string> words;
};
struct RouteRule {
  std::string name;
  std::optional<std::string> intake, type, category, encryption, signature, tlp;
  std::optional<bool> constituency, sender_verified;
  std::optional<bool> reporter_constituent;  // the reporter is one of our own users
  std::string queue;
};

struct Policy {
  std::string ticket_prefix;
  std::vector<Network> networks;
  std::vector<std::string> domains;  // lower case
  std::string tlp_default;
  std::vector<HintRule> hints;
  std::vector<KeywordRule> keywords;
  std::vector<PriorityLevel> levels;
  int unmatched_priority = 0;
  std::vector<RouteRule> routes;
  std::set<std::string> taxonomy;  // every "class/type"

  bool in_constituency_ip(std::string_view ip) const;
  bool in_constituency_domain(std::string_view domain) const;
};

struct LoadedPolicy {
  Policy policy;
  std::vector<ConfigError> errors;
};

LoadedPolicy parse_policy(std::string_view policy_toml, std::string_view taxonomy_toml);
// paths.policy, or the embedded default when it is empty.
LoadedPolicy load_policy(const Config& config);
// paths.form, or the embedded default reporting form.
Result<FormSchema> load_reporting_form(const Config& config);


// The hint rule for a reported class/type (ARF Feedback-Type, X-ARF
// Report-Type, XARF "category/type"): the whole hint, then with its last
// segments dropped one by one, then its type alone (all but the first
// segment, then the last); nullptr when no rule names any of them.
const HintRule* find_hint_rule(const Policy& policy, std::string_view hint);

// TLP 2.0 labels, least to most restrictive; -1 for anything else.
int tlp_rank(std::string_view label);

// An RSIT type against a rule's pattern: the type itself, or "class/*".
bool type_matches(const std::string& pattern, const std::string& type);
const std::vector<std::string>& disclosure_categories();

}  // namespace csirtgw
