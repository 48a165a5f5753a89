// The team's policy: parsing and checking it (policy.h).
#include "ascii_case.h"
#include "policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "embedded_schemas.h"

namespace csirtgw {
namespace {

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

// A small integer, or `fallback` when the node is absent, not an integer or out
// of range (toml++ would convert a float, and 1e100 does not fit).
int small_integer(const toml::node* node, int fallback) {
  if (!node || !node->is_integer()) return fallback;
  const std::int64_t value = node->value<std::int64_t>().value_or(fallback);
  return value < 0 || value > 1000000 ? fallback : static_cast<int>(value);
}

class PolicyReader {
 public:
  PolicyReader(Policy& policy, std::vector<ConfigError>& errors) : policy_(policy), errors_(errors) {}

  void error(const toml::node& node, std::string message) { errors_.push_back({line_of(node), std::move(message)}); }

  std::optional<std::string> string_at(const toml::table& table, std::string_view key, bool required) {
    const toml::node* node = table.get(key);
    if (!node) {
      if (required) errors_.push_back({static_cast<int>(table.source().begin.line), std::string(key) + ": missing"});
      return std::nullopt;
    }
    if (!node->is_string()) {
      error(*node, std::string(key) + ": expected a string");
      return std::nullopt;
    }
    return node->value<std::string>();
  }

  std::vector<std::string> strings_at(const toml::table& table, std::string_view key) {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (!node) return out;
    const auto* array = node->as_array();
    if (!array) {
      error(*node, std::string(key) + ": expected a list of strings");
      return out;
    }
    for (const auto& item : *array) {
      if (!item.is_string()) {
        error(item, std::string(key) + ": expected a list of strings");
        continue;
      }
      out.push_back(ascii_lower(*item.value<std::string>()));
    }
    return out;
  }

  void check_type(const toml::node& node, const std::string& type) {
    if (type.size() > 2 && type.substr(type.size() - 2) == "/*") {
      const std::string cls = type.substr(0, type.size() - 2);
      if (std::none_of(policy_.taxonomy.begin(), policy_.taxonomy.end(),
                       [&](const std::string& t) { return t.rfind(cls + "/", 0) == 0; }))
        error(node, "\"" + type + "\" names no RSIT class");
      return;
    }
    if (!policy_.taxonomy.count(type)) error(node, "\"" + type + "\" is not an RSIT class/type");
  }

  void check_known_keys(const toml::table& table, std::initializer_list<std::string_view> known, const std::string& where) {
    for (auto&& [key, value] : table)
      if (std::find(known.begin(), known.end(), key.str()) == known.end())
        error(value, where + "." + std::string(key.str()) + ": unknown setting");
  }

 private:
  Policy& policy_;
  std::vector<ConfigError>& errors_;
};

const toml::array* tables_at(const toml::table& root, std::string_view path, PolicyReader& reader) {
  const toml::node* node = root.at_path(path).node();
  if (!node) return nullptr;
  const auto* array = node->as_array();
  if (!array || !array->is_array_of_tables()) {
    reader.error(*node, std::string(path) + ": expected [[" + std::string(path) + "]] tables");
    return nullptr;
  }
  return array;
}

void read_taxonomy(std::string_view taxonomy_toml, Policy& policy, std::vector<ConfigError>& errors) {
  try {
    auto root = toml::parse(taxonomy_toml);
    if (const auto* classes = root["classes"].as_table())
      for (auto&& [cls, types] : *classes)
        if (const auto* list = types.as_array())
          for (const auto& t : *list)
            if (auto name = t.value<std::string>()) policy.taxonomy.insert(std::string(cls.str()) + "/" + *name);
  } catch (const toml::parse_error& e) {
    errors.push_back({0, "taxonomy: " + std::string(e.description())});
  }
  if (policy.taxonomy.empty()) errors.push_back({0, "taxonomy: no classes"});
}

}  // namespace

bool Network::contains(std::string_view ip) const {
  std::array<unsigned char, 16> bytes{};
  const std::string text(ip);
  const int fam = text.find(':') != std::string::npos ? 6 : 4;
  if (fam != family) return false;
  if (inet_pton(fam == 4 ? AF_INET : AF_INET6, text.c_str(), bytes.data()) != 1) return false;
  int bits = prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

std::optional<Network> parse_network(std::string_view cidr) {
  Network net;
  const auto slash = cidr.find('/');
  const std::string ip(cidr.substr(0, slash));
  net.family = ip.find(':') != std::string::npos ? 6 : 4;
  if (inet_pton(net.family == 4 ? AF_INET : AF_INET6, ip.c_str(), net.address.data()) != 1) return std::nullopt;
  const int max = net.family == 4 ? 32 : 128;
  net.prefix = max;
  if (slash != std::string_view::npos) {
    const std::string bits(cidr.substr(slash + 1));
    if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), ::isdigit)) return std::nullopt;
    net.prefix = std::stoi(bits);
    if (net.prefix > max) return std::nullopt;
  }
  return net;
}

bool Policy::in_constituency_ip(std::string_view ip) const {
  return std::any_of(networks.begin(), networks.end(), [&](const Network& n) { return n.contains(ip); });
}

bool Policy::in_constituency_domain(std::string_view domain) const {
  const std::string d = ascii_lower(std::string(domain));
  return std::any_of(domains.begin(), domains.end(), [&](const std::string& ours) {
    return d == ours || (d.size() > ours.size() && d.compare(d.size() - ours.size(), ours.size(), ours) == 0 &&
                         d[d.size() - ours.size() - 1] == '.');
  });
}

int tlp_rank(std::string_view label) {
  static const char* const kOrder[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
  for (int i = 0; i < 5; ++i)
    if (label == kOrder[i]) return i;
  return -1;
}

const std::vector<std::string>& disclosure_categories() {
  static const std::vector<std::string> kCategories = {"private-user", "intruder",    "private-site",
                                                       "vulnerability", "embarrassing", "statistical",
                                                       "contact-information"};
  return kCategories;
}

namespace {

const toml::table& table_or_empty(const toml::table& root, std::string_view key) {
  static const toml::table empty;
  const auto* table = root[key].as_table();
  return table ? *table : empty;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

void read_tickets(const toml::table& root, PolicyReader& reader, Policy& policy, std::vector<ConfigError>& errors) {
  const toml::table& tickets = table_or_empty(root, "tickets");
  policy.ticket_prefix = reader.string_at(tickets, "prefix", true).value_or("");
  if (!policy.ticket_prefix.empty() && !std::all_of(policy.ticket_prefix.begin(), policy.ticket_prefix.end(), is_name_char))
    errors.push_back({static_cast<int>(tickets.source().begin.line), "tickets.prefix: letters, digits, '-' and '_' only"});
}

void read_constituency(const toml::table& root, PolicyReader& reader, Policy& policy) {
  const toml::table& constituency = table_or_empty(root, "constituency");
  reader.check_known_keys(constituency, {"networks", "domains"}, "constituency");
  if (const auto* networks = constituency["networks"].as_array()) {
    for (const auto& item : *networks) {
      auto cidr = item.value<std::string>();
      if (auto net = cidr ? parse_network(*cidr) : std::nullopt)
        policy.networks.push_back(*net);
      else
        reader.error(item, "constituency.networks: \"" + cidr.value_or("?") + "\" is not a CIDR");
    }
  } else if (constituency.get("networks")) {
    reader.error(*constituency.get("networks"), "constituency.networks: expected a list of CIDR strings");
  }
  policy.domains = reader.strings_at(constituency, "domains");
}

void read_tlp(const toml::table& root, PolicyReader& reader, Policy& policy, std::vector<ConfigError>& errors) {
  const toml::table& tlp = table_or_empty(root, "tlp");
  policy.tlp_default = reader.string_at(tlp, "default", false).value_or("AMBER");
  if (tlp_rank(policy.tlp_default) < 0) {
    const toml::node* where = tlp.get("default");
    errors.push_back({where ? line_of(*where) : static_cast<int>(tlp.source().begin.line),
                      "tlp.default: \"" + policy.tlp_default + "\" is not CLEAR, GREEN, AMBER, AMBER+STRICT or RED"});
  }
}

void read_classify(const toml::table& root, PolicyReader& reader, Policy& policy) {
  if (const auto* hints = tables_at(root, "classify.hint", reader))
    for (const auto& node : *hints) {
      const auto& t = *node.as_table();
      reader.check_known_keys(t, {"values", "type"}, "classify.hint");
      HintRule rule{reader.strings_at(t, "values"), reader.string_at(t, "type", true).value_or("")};
      reader.check_type(node, rule.type);
      policy.hints.push_back(std::move(rule));
    }
  if (const auto* keywords = tables_at(root, "classify.keywords", reader))
    for (const auto& node : *keywords) {
      const auto& t = *node.as_table();
      reader.check_known_keys(t, {"words", "type"}, "classify.keywords");
      KeywordRule rule{reader.strings_at(t, "words"), reader.string_at(t, "type", true).value_or("")};
      reader.check_type(node, rule.type);
      policy.keywords.push_back(std::move(rule));
    }
}

void read_priority(const toml::table& root, PolicyReader& reader, Policy& policy) {
  policy.unmatched_priority = small_integer(root.at_path("priority.unmatched").node(), 99);
  if (const auto* levels = tables_at(root, "priority.level", reader))
    for (const auto& node : *levels) {
      const auto& t = *node.as_table();
      reader.check_known_keys(t, {"level", "name", "types", "words"}, "priority.level");
      PriorityLevel level;
      level.level = small_integer(t.get("level"), 0);
      if (level.level <= 0) reader.error(node, "priority.level: level must be a positive integer");
      level.name = reader.string_at(t, "name", true).value_or("");
      level.types = reader.strings_at(t, "types");
      for (const auto& type : level.types) reader.check_type(node, type);
      level.words = reader.strings_at(t, "words");
      policy.levels.push_back(std::move(level));
    }
  std::stable_sort(policy.levels.begin(), policy.levels.end(),
                   [](const PriorityLevel& a, const PriorityLevel& b) { return a.level < b.level; });
}

RouteRule read_route(const toml::node& node, PolicyReader& reader) {
  const auto& t = *node.as_table();
  reader.check_known_keys(t, {"name", "intake", "type", "category", "encryption", "signature", "tlp", "constituency",
                              "reporter_constituent", "sender_verified", "queue"},
                          "route");
  RouteRule rule;
  rule.name = reader.string_at(t, "name", false).value_or("");
  rule.queue = reader.string_at(t, "queue", true).value_or("");
  rule.intake = reader.string_at(t, "intake", false);
  rule.type = reader.string_at(t, "type", false);
  if (rule.type) reader.check_type(node, *rule.type);
  rule.category = reader.string_at(t, "category", false);
  const auto& categories = disclosure_categories();
  if (rule.category && std::find(categories.begin(), categories.end(), *rule.category) == categories.end())
    reader.error(node, "route.category: \"" + *rule.category + "\" is not an RFC 2350 disclosure category");
  rule.encryption = reader.string_at(t, "encryption", false);
  rule.signature = reader.string_at(t, "signature", false);
  rule.tlp = reader.string_at(t, "tlp", false);
  if (const toml::node* c = t.get("constituency")) rule.constituency = c->value<bool>();
  if (const toml::node* r = t.get("reporter_constituent")) rule.reporter_constituent = r->value<bool>();
  if (const toml::node* v = t.get("sender_verified")) rule.sender_verified = v->value<bool>();
  if (rule.queue.empty() || !std::all_of(rule.queue.begin(), rule.queue.end(), is_name_char))
    reader.error(node, "route.queue: a queue name is letters, digits, '-' and '_'");
  return rule;
}

void read_routes(const toml::table& root, PolicyReader& reader, Policy& policy, std::vector<ConfigError>& errors) {
  if (const auto* routes = tables_at(root, "route", reader))
    for (const auto& node : *routes) policy.routes.push_back(read_route(node, reader));
  if (policy.routes.empty()) errors.push_back({0, "route: at least one routing rule is needed"});
}

}  // namespace

LoadedPolicy parse_policy(std::string_view policy_toml, std::string_view taxonomy_toml) {
  LoadedPolicy loaded;
  Policy& policy = loaded.policy;
  auto& errors = loaded.errors;
  read_taxonomy(taxonomy_toml, policy, errors);
  toml::table root;
  try {
    root = toml::parse(policy_toml);
  } catch (const toml::parse_error& e) {
    errors.push_back({static_cast<int>(e.source().begin.line), std::string(e.description())});
    return loaded;
  }
  PolicyReader reader(policy, errors);
  reader.check_known_keys(root, {"tickets", "constituency", "tlp", "classify", "priority", "route"}, "policy");
  read_tickets(root, reader, policy, errors);
  read_constituency(root, reader, policy);
  read_tlp(root, reader, policy, errors);
  read_classify(root, reader, policy);
  read_priority(root, reader, policy);
  read_routes(root, reader, policy, errors);
  std::stable_sort(errors.begin(), errors.end(), [](const ConfigError& a, const ConfigError& b) {
    return (a.line == 0 ? INT32_MAX : a.line) < (b.line == 0 ? INT32_MAX : b.line);
  });
  return loaded;
}

Result<FormSchema> load_reporting_form(const Config& config) {
  if (config.form_file.empty()) return parse_form_schema(default_form_schema_text());
  return load_form_schema(config.form_file);
}

LoadedPolicy load_policy(const Config& config) {
  if (config.policy_file.empty()) return parse_policy(default_policy_text(), rsit_taxonomy_text());
  std::ifstream in(config.policy_file, std::ios::binary);
  if (!in) {
    LoadedPolicy failed;
    failed.errors.push_back({0, "cannot read " + config.policy_file});
    return failed;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_policy(text.str(), rsit_taxonomy_text());
}

bool type_matches(const std::string& pattern, const std::string& type) {
  if (pattern.size() > 2 && pattern.substr(pattern.size() - 2) == "/*")
    return type.rfind(pattern.substr(0, pattern.size() - 1), 0) == 0;
  return pattern == type;
}

namespace {

// The names a hint is looked up by, most specific first.
std::vector<std::string> hint_candidates(std::string_view hint) {
  std::vector<std::string> out;
  std::string name = squashed_class_name(hint);
  if (name.empty()) return out;
  for (std::string shorter = name;;) {
    out.push_back(shorter);
    const auto slash = shorter.rfind('/');
    if (slash == std::string::npos) break;
    shorter.resize(slash);
  }
  if (const auto first = name.find('/'); first != std::string::npos) out.push_back(name.substr(first + 1));
  if (const auto last = name.rfind('/'); last != std::string::npos) out.push_back(name.substr(last + 1));
  return out;
}

}  // namespace

const HintRule* find_hint_rule(const Policy& policy, std::string_view hint) {
  for (const auto& candidate : hint_candidates(hint))
    for (const auto& rule : policy.hints)
      if (std::any_of(rule.values.begin(), rule.values.end(),
                      [&](const std::string& value) { return squashed_class_name(value) == candidate; }))
        return &rule;
  return nullptr;
}

}  // namespace csirtgw
