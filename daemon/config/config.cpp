// Every setting is declared once in kSettings below: its table, key, type,
// default, bounds and meaning. Defaults, validation, `check-config` and the
// documentation all come from that one table.
#include "config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <climits>
#include <variant>

#include <toml++/toml.h>

#include "durable_file.h"
#include "envelope_address.h"
#include "ticket_due.h"

namespace csirtgw {
namespace {

enum class Check { none, listen_address, host_port, fingerprint, domain, hostname, ack_failure, one_line, due_hours };

// What a reload (SIGHUP) does with a setting. Only what the pipeline worker reads
// at the start of a batch can change while running: the listeners, the committer,
// the agent shards and the stage threads are set up once, at start-up.
enum class OnReload { needs_restart, applied };

struct Setting {
  const char* table;
  const char* key;
  std::variant<std::string Config::*, std::int64_t Config::*> member;
  const char* default_text;  // for strings
  std::int64_t default_number;
  std::int64_t min;
  std::int64_t max;
  Check check;
  const char* description;
  OnReload on_reload = OnReload::needs_restart;
};

constexpr std::int64_t kMiB = 1024 * 1024;

// clang-format off
const Setting kSettings[] = {
  {"team", "name", &Config::team_name, "Example CERT", 0, 0, 0, Check::one_line,
   "The team's name, used in acknowledgements and generated keys.", OnReload::applied},
  {"team", "domain", &Config::team_domain, "csirt.example", 0, 0, 0, Check::domain,
   "The team's mail domain; without [[intake]] entries cert@, abuse@ and vuln@ of it are served, and "
   "cert-staff@ of it is the staff address."},
  {"team", "key", &Config::team_key, "", 0, 0, 0, Check::fingerprint,
   "Fingerprint of the team's OpenPGP key; empty: use or generate the key in the state directory."},
  {"listen", "lmtp", &Config::lmtp, "127.0.0.1:2424", 0, 0, 0, Check::listen_address,
   "LMTP listener, HOST:PORT or unix:PATH; empty disables it."},
  {"listen", "smtp", &Config::smtp, "127.0.0.1:2525", 0, 0, 0, Check::listen_address,
   "SMTP listener, HOST:PORT or unix:PATH; empty disables it."},
  {"listen", "hostname", &Config::hostname, "csirtgw.localhost", 0, 0, 0, Check::hostname,
   "Host name in the greeting and in Received headers."},
  {"listen", "user", &Config::user, "", 0, 0, 0, Check::none,
   "When started as root, switch to this user after binding the listeners."},
  {"listen", "socket_group", &Config::socket_group, "", 0, 0, 0, Check::none,
   "Group given unix: listener sockets (mode 0660), e.g. postfix; the daemon's user must be a member. Empty: the daemon's own group."},
  {"paths", "state_dir", &Config::state_dir, "var", 0, 0, 0, Check::none,
   "State directory: spool, queues, database, GnuPG home. Relative paths start at the working directory."},
  {"paths", "policy", &Config::policy_file, "", 0, 0, 0, Check::none,
   "Policy file (classification, priorities, routing, constituency, ticket prefix); empty: the embedded default.", OnReload::applied},
  {"paths", "form", &Config::form_file, "", 0, 0, 0, Check::none,
   "Reporting-form schema; empty: the embedded default (print it with `csirtgw form`).", OnReload::applied},
  {"paths", "staff_group", &Config::staff_group, "", 0, 0, 0, Check::none,
   "Group whose members run the triage CLI as themselves: the daemon shares the store with it (mode 0660) and "
   "the state directory (0750, not writable). The daemon's user must be a member. Empty: not shared."},
  {"outbound", "smarthost", &Config::smarthost, "127.0.0.1:25", 0, 0, 0, Check::host_port,
   "HOST:PORT of the SMTP relay for outgoing acknowledgements; empty: acknowledgements are queued but not sent."},
  {"outbound", "timeout", &Config::outbound_timeout, nullptr, 60, 1, 3600, Check::none,
   "Seconds the smarthost may take to connect or to answer one command before the attempt is abandoned."},
  {"outbound", "retry_min", &Config::outbound_retry_min, nullptr, 60, 1, 86400, Check::none,
   "Seconds before the first retry of an acknowledgement the smarthost did not take; doubled per attempt."},
  {"outbound", "retry_max", &Config::outbound_retry_max, nullptr, 3600, 1, 86400, Check::none,
   "Longest wait between two attempts, in seconds."},
  {"outbound", "give_up", &Config::outbound_give_up, nullptr, 432000, 60, 2592000, Check::none,
   "Seconds after queuing when an acknowledgement still not taken is recorded as failed (default 5 days)."},
  {"outbound", "poll_interval", &Config::outbound_poll_interval, nullptr, 5, 1, 3600, Check::none,
   "Seconds between two looks at the outbound queue when nothing is due: mail queued by another process "
   "(`csirtgw ticket reply`, `ticket forward`) leaves within this time."},
  {"outbound", "thread_references", &Config::outbound_thread_references, nullptr, 10, 1, 50, Check::none,
   "Most Message-IDs in the References header of a staff reply or forward (the thread's first and newest)."},
  {"ack", "enabled", &Config::ack_enabled, nullptr, 1, 0, 1, Check::none,
   "1: acknowledge every new ticket to the reporter (signed with the team key); 0: never.", OnReload::applied},
  {"ack", "follow_ups", &Config::ack_follow_ups, nullptr, 0, 0, 1, Check::none,
   "1: acknowledge follow-ups to an existing ticket too; 0: only the report that opens a ticket.", OnReload::applied},
  {"ack", "on_failure", &Config::ack_on_failure, "neutral", 0, 0, 0, Check::ack_failure,
   "Reports that could not be decrypted or parsed: \"neutral\" sends the very same acknowledgement as for "
   "any other report, \"none\" sends none (which tells a sender that something failed).", OnReload::applied},
  {"ack", "rate_limit", &Config::ack_rate_limit, nullptr, 5, 0, 100000, Check::none,
   "Most acknowledgements to one address within ack.rate_window; 0: no limit.", OnReload::applied},
  {"ack", "rate_window", &Config::ack_rate_window, nullptr, 3600, 1, 2592000, Check::none,
   "The window of ack.rate_limit and ack.domain_rate_limit, in seconds.", OnReload::applied},
  // Forged envelope senders must not turn the team into a backscatter source:
  // caps per recipient domain and over all recipients (ack_planner.h).
  {"ack", "domain_rate_limit", &Config::ack_domain_rate_limit, nullptr, 50, 0, 1000000, Check::none,
   "Most acknowledgements to the addresses of one domain within ack.rate_window; 0: no limit.", OnReload::applied},
  {"ack", "global_rate_limit", &Config::ack_global_rate_limit, nullptr, 500, 0, 10000000, Check::none,
   "Most acknowledgements per hour to all recipients together; 0: no limit.", OnReload::applied},
  {"ack", "response_time", &Config::ack_response_time, "Some response will be made within one working day.", 0,
   0, 0, Check::one_line, "The response-time promise ({response_time} in the template; RFC 2350 Appendix E).",
   OnReload::applied},
  {"ack", "hours", &Config::ack_hours, "Monday to Friday, 09:00 to 17:00 local time, except public holidays.", 0,
   0, 0, Check::one_line, "Operating hours ({hours} in the template).", OnReload::applied},
  {"ack", "template", &Config::ack_template, "", 0, 0, 0, Check::none,
   "Acknowledgement template file; empty: the embedded default (print it with `csirtgw ack-template`). "
   "An [[intake]] may name its own with ack_template.", OnReload::applied},
  {"tickets", "due_hours", &Config::ticket_due_hours, "2:4, 5:8, 9:24, 13:72", 0, 0, 0, Check::due_hours,
   "When a ticket is due, by priority: PRIORITY:HOURS entries, ascending; a ticket of priority P is due the "
   "hours of the first entry with P or more after it was opened (the last entry's beyond). `tickets` shows "
   "it and --overdue selects by it.", OnReload::applied},
  {"tickets", "subject_max", &Config::ticket_subject_max, nullptr, 200, 16, 998, Check::none,
   "Longest Subject kept with a new ticket, in octets after sanitising (cut at a character boundary).",
   OnReload::applied},
  {"tickets", "subject_column", &Config::ticket_subject_column, nullptr, 48, 8, 400, Check::none,
   "Widest SUBJECT column of `csirtgw tickets`, in octets (longer subjects end in \"…\").", OnReload::applied},
  {"limits", "command_line", &Config::command_line, nullptr, 512, 64, 65536, Check::none,
   "Longest command line in octets, CRLF included (RFC 5321: 512)."},
  {"limits", "text_line", &Config::text_line, nullptr, 1000, 80, 1048576, Check::none,
   "Longest message text line in octets, CRLF included (RFC 5321: 1000)."},
  {"limits", "header_block", &Config::header_block, nullptr, 102400, 1024, 16 * kMiB, Check::none,
   "Largest header block of a message in octets."},
  {"limits", "message_size", &Config::message_size, nullptr, 10240000, 1024, 1024 * kMiB, Check::none,
   "Largest message in octets, announced in SIZE and enforced while reading."},
  {"limits", "recipients", &Config::recipients, nullptr, 100, 1, 100000, Check::none,
   "Most recipients in one transaction."},
  {"limits", "bad_commands", &Config::bad_commands, nullptr, 20, 1, 10000, Check::none,
   "Rejected commands (syntax errors, unknown recipients) a session may make before it is closed with 421."},
  {"limits", "connections", &Config::connections, nullptr, 1500, 1, 100000, Check::none,
   "Most concurrent client connections; more are answered 421 and closed."},
  {"limits", "idle_timeout", &Config::idle_timeout, nullptr, 300, 1, 86400, Check::none,
   "Seconds a client may stay silent while a command or data is expected."},
  {"limits", "session_deadline", &Config::session_deadline, nullptr, 1800, 1, 604800, Check::none,
   "Seconds a whole session may last."},
  {"limits", "shutdown_grace", &Config::shutdown_grace, nullptr, 10, 0, 3600, Check::none,
   "Seconds open sessions get to finish after SIGTERM before they are answered 421."},
  {"mime", "depth", &Config::mime_depth, nullptr, 32, 1, 200, Check::none,
   "Deepest MIME nesting accepted before the message is quarantined (checked before any MIME parser runs).", OnReload::applied},
  {"mime", "parts", &Config::mime_parts, nullptr, 1000, 1, 100000, Check::none,
   "Most MIME parts in one message before it is quarantined.", OnReload::applied},
  {"openpgp", "max_plaintext", &Config::openpgp_max_plaintext, nullptr, 64 * kMiB, 1024, 4096 * kMiB, Check::none,
   "Cap on decrypted or decompressed output in octets (compression bombs); over it the message is quarantined.", OnReload::applied},
  {"openpgp", "timeout", &Config::openpgp_timeout, nullptr, 30, 1, 3600, Check::none,
   "Seconds one gpg operation may take before it is cancelled and the message quarantined.", OnReload::applied},
  {"openpgp", "worker_failures", &Config::openpgp_worker_failures, nullptr, 3, 1, 1000, Check::none,
   "Attempts on one message in which the daemon or its OpenPGP worker dies (twice) or stops answering before the "
   "message is quarantined rather than retried (a message that crashes gpg or the daemon would otherwise hold up all "
   "mail behind it, or stop the daemon at every start). Counted in the store, across restarts.",
   OnReload::applied},
  {"openpgp", "signature_max_age", &Config::openpgp_signature_max_age, nullptr, 604800, 60, 31536000, Check::none,
   "Seconds a good signature may be older than the message's arrival and still verify the sender (7 days); an "
   "older one is an old signed report sent again: signature good, sender not verified, the reason shown.",
   OnReload::applied},
  {"openpgp", "date_skew", &Config::openpgp_date_skew, nullptr, 14400, 60, 604800, Check::none,
   "Seconds a signed message's Date may lie after the signature's creation time (and the signature after the "
   "arrival); more, and the sender is not verified (an old signature on a message sent again with a new Date).",
   OnReload::applied},
  {"openpgp", "agents", &Config::openpgp_agents, nullptr, 1, 1, 64, Check::none,
   "gpg-agents (copies of the GnuPG home) the pipeline threads are spread over; one agent serialises private-key operations."},
  {"worker", "batch", &Config::worker_batch, nullptr, 64, 1, 10000, Check::none,
   "Most spooled messages the worker files under one commit.", OnReload::applied},
  {"worker", "threads", &Config::worker_threads, nullptr, 0, 0, 256, Check::none,
   "Threads running the pipeline stages (gpg runs in them); 0 means one per CPU core."},
  {"worker", "commit_batch", &Config::commit_batch, nullptr, 256, 1, 10000, Check::none,
   "Most received messages committed to the store in one transaction (group commit)."},
  {"audit", "anchor_interval", &Config::audit_anchor_interval, nullptr, 300, 1, 86400, Check::none,
   "Seconds between two signed anchors of the audit chain's head appended to <state>/audit-anchors.asc "
   "(also at start-up and at shutdown; only when the head moved). Ship that file off the host: "
   "`csirtgw audit verify --anchors FILE` then finds a chain rewritten since."},
  {"search", "max_indicators_per_message", &Config::search_max_indicators, nullptr, 1000, 0, 100000, Check::none,
   "Most indicators (addresses, domains, URLs, e-mail addresses, hashes, CVE ids) of one filed message stored for "
   "`csirtgw search`, in the order found; the rest are not searchable (an audit event `indicators-capped` says how "
   "many). 0 stores none.", OnReload::applied},
};
// clang-format on

std::string default_text(const Setting& s) {
  if (std::holds_alternative<std::string Config::*>(s.member)) return s.default_text;
  return std::to_string(s.default_number);
}

bool is_hex_fingerprint(std::string_view v) {
  return v.size() == 40 &&
         std::all_of(v.begin(), v.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::optional<std::string> host_port_problem(std::string_view v) {
  auto colon = v.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return "expected HOST:PORT";
  auto port = v.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stol(std::string(port)) > 65535)
    return "port must be a number from 0 to 65535";
  return std::nullopt;
}

std::optional<std::string> string_problem(Check check, const std::string& v) {
  switch (check) {
    case Check::none: return std::nullopt;
    case Check::listen_address: return listen_address_problem(v);
    case Check::host_port: return v.empty() ? std::nullopt : host_port_problem(v);
    case Check::fingerprint:
      if (v.empty() || is_hex_fingerprint(v)) return std::nullopt;
      return "expected a 40-digit hexadecimal fingerprint";
    case Check::due_hours: return due_hours_problem(v);
    case Check::ack_failure:
      if (v == "neutral" || v == "none") return std::nullopt;
      return "expected \"neutral\" or \"none\"";
    case Check::one_line:
      if (v.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos) return std::nullopt;
      return "must be a single line";
    case Check::domain:
    case Check::hostname:
      if (is_valid_domain(v)) return std::nullopt;
      return "not a valid domain name";
  }
  return std::nullopt;
}

const Setting* find_setting(std::string_view table, std::string_view key) {
  for (const auto& s : kSettings)
    if (table == s.table && key == s.key) return &s;
  return nullptr;
}

bool known_table(std::string_view table) {
  return std::any_of(std::begin(kSettings), std::end(kSettings),
                     [&](const Setting& s) { return table == s.table; });
}

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

void apply_setting(const Setting& s, const toml::node& node, Config& config,
                   std::vector<ConfigError>& errors) {
  const int line = line_of(node);
  const std::string name = std::string(s.table) + "." + s.key;
  if (auto* member = std::get_if<std::string Config::*>(&s.member)) {
    auto text = node.value<std::string>();
    if (!text || !node.is_string()) {
      errors.push_back({line, name + ": expected a string"});
      return;
    }
    if (auto problem = string_problem(s.check, *text)) {
      errors.push_back({line, name + ": " + *problem + " (got \"" + *text + "\")"});
      return;
    }
    config.*(*member) = *text;
    return;
  }
  auto member = std::get<std::int64_t Config::*>(s.member);
  // Only an integer node is read as one: toml++ would convert a float, and
  // 1e100 does not fit (undefined behaviour; found by tests/fuzz/fuzz_config).
  if (!node.is_integer()) {
    errors.push_back({line, name + ": expected an integer"});
    return;
  }
  const auto number = node.value<std::int64_t>();
  if (*number < s.min || *number > s.max) {
    errors.push_back({line, name + ": " + std::to_string(*number) + " is outside " +
                                std::to_string(s.min) + ".." + std::to_string(s.max)});
    return;
  }
  config.*member = *number;
}

// A staff address is a mailbox of its own: never an intake's (report) address,
// never another intake's staff address, since mail to it is a staff command.
void check_staff_address(const Intake& intake, const std::vector<Intake>& earlier, int line,
                         std::vector<ConfigError>& errors) {
  if (intake.staff_address.empty()) return;
  if (auto problem = envelope_address_problem(intake.staff_address)) {
    errors.push_back({line, "intake: staff_address \"" + intake.staff_address + "\" is not a mailbox: " + *problem});
    return;
  }
  if (intake.staff_address == intake.address)
    errors.push_back({line, "intake: staff_address must differ from the intake's address"});
  for (const auto& other : earlier)
    if (other.address == intake.staff_address || other.staff_address == intake.staff_address ||
        other.staff_address == intake.address)
      errors.push_back({line, "intake: address " + intake.staff_address + " is used by intake " + other.name});
}

void apply_intakes(const toml::node& node, Config& config, std::vector<ConfigError>& errors) {
  const auto* array = node.as_array();
  if (!array || !array->is_array_of_tables()) {
    errors.push_back({line_of(node), "intake: expected [[intake]] tables"});
    return;
  }
  config.intakes.clear();
  for (const auto& element : *array) {
    const auto& table = *element.as_table();
    Intake intake;
    for (auto&& [key, value] : table) {
      const int line = line_of(value);
      auto text = value.value<std::string>();
      if (key == "name" && text) {
        intake.name = *text;
      } else if (key == "address" && text) {
        intake.address = lowercase_address(*text);
      } else if (key == "ack_template" && text) {
        intake.ack_template = *text;
      } else if (key == "staff_address" && text) {
        intake.staff_address = lowercase_address(*text);
      } else if (key != "name" && key != "address" && key != "ack_template" && key != "staff_address") {
        errors.push_back({line, "intake." + std::string(key.str()) + ": unknown setting"});
      } else {
        errors.push_back({line, "intake." + std::string(key.str()) + ": expected a string"});
      }
    }
    const int line = static_cast<int>(table.source().begin.line);
    if (intake.name.empty() ||
        !std::all_of(intake.name.begin(), intake.name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }))
      errors.push_back({line, "intake: name must be non-empty letters, digits, '-' or '_'"});
    if (intake.address.empty())
      errors.push_back({line, "intake: address is missing"});
    else if (auto problem = envelope_address_problem(intake.address))
      errors.push_back({line, "intake: address \"" + intake.address + "\" is not a mailbox: " + *problem});
    for (const auto& other : config.intakes)
      if (other.address == intake.address)
        errors.push_back({line, "intake: address " + intake.address + " appears twice"});
    check_staff_address(intake, config.intakes, line, errors);
    config.intakes.push_back(std::move(intake));
  }
  if (config.intakes.empty()) errors.push_back({line_of(node), "intake: at least one intake is needed"});
}

void add_default_intakes(Config& config) {
  for (const char* name : {"cert", "abuse", "vuln"})
    config.intakes.push_back({name, lowercase_address(std::string(name) + "@" + config.team_domain), "",
                              // Staff write to the team's main intake's staff address.
                              name == std::string_view("cert") ? lowercase_address("cert-staff@" + config.team_domain)
                                                               : std::string()});
}

}  // namespace

const Intake* Config::intake_for(std::string_view address) const {
  const std::string wanted = lowercase_address(std::string(address));
  for (const auto& intake : intakes)
    if (intake.address == wanted) return &intake;
  return staff_intake_for(wanted);
}

const Intake* Config::staff_intake_for(std::string_view address) const {
  const std::string wanted = lowercase_address(std::string(address));
  for (const auto& intake : intakes)
    if (!intake.staff_address.empty() && intake.staff_address == wanted) return &intake;
  return nullptr;
}

std::vector<SettingInfo> describe_settings() {
  std::vector<SettingInfo> out;
  for (const auto& s : kSettings)
    out.push_back({s.table, s.key,
                   std::holds_alternative<std::string Config::*>(s.member) ? "string" : "integer",
                   default_text(s), s.description, s.on_reload == OnReload::applied});
  return out;
}

ReloadedConfig config_for_reload(const Config& running, Config wanted) {
  ReloadedConfig out;
  for (const auto& s : kSettings) {
    if (s.on_reload == OnReload::applied) continue;
    bool differs = false;
    if (auto* m = std::get_if<std::string Config::*>(&s.member)) {
      differs = wanted.*(*m) != running.*(*m);
      wanted.*(*m) = running.*(*m);
    } else {
      auto n = std::get<std::int64_t Config::*>(s.member);
      differs = wanted.*n != running.*n;
      wanted.*n = running.*n;
    }
    if (differs) out.needs_restart.push_back(std::string(s.table) + "." + s.key);
  }
  // The listeners decide which recipients exist: the intakes stay as they are.
  const auto same_intake = [](const Intake& a, const Intake& b) {
    return a.name == b.name && a.address == b.address && a.staff_address == b.staff_address;
  };
  if (!std::equal(wanted.intakes.begin(), wanted.intakes.end(), running.intakes.begin(), running.intakes.end(),
                  same_intake))
    out.needs_restart.push_back("[[intake]]");
  wanted.intakes = running.intakes;
  out.config = std::move(wanted);
  return out;
}

Config default_config() {
  Config config;
  for (const auto& s : kSettings) {
    if (auto* m = std::get_if<std::string Config::*>(&s.member))
      config.*(*m) = s.default_text;
    else
      config.*std::get<std::int64_t Config::*>(s.member) = s.default_number;
  }
  add_default_intakes(config);
  return config;
}

std::optional<std::string> listen_address_problem(std::string_view v) {
  if (v.empty()) return std::nullopt;
  if (v.rfind("unix:", 0) == 0) {
    auto path = v.substr(5);
    if (path.empty() || path.size() > 100) return "unix socket path must be 1..100 characters";
    return std::nullopt;
  }
  if (auto problem = host_port_problem(v)) return problem;
  // Listeners bind to an address, never to a name that would need resolving.
  auto host = std::string(v.substr(0, v.rfind(':')));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char address[16];
  if (host != "localhost" && inet_pton(AF_INET, host.c_str(), address) != 1 &&
      inet_pton(AF_INET6, host.c_str(), address) != 1)
    return "host must be an IP address (127.0.0.1, [::1]) or localhost";
  return std::nullopt;
}

LoadedConfig parse_config(std::string_view toml_text) {
  LoadedConfig loaded{default_config(), {}};
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    loaded.errors.push_back({static_cast<int>(e.source().begin.line), std::string(e.description())});
    return loaded;
  }
  Config& config = loaded.config;
  bool intakes_given = false;
  const toml::node* intake_node = nullptr;
  for (auto&& [table_key, table_node] : root) {
    const std::string table_name(table_key.str());
    if (table_name == "intake") {
      intakes_given = true;
      intake_node = &table_node;
      continue;
    }
    if (!known_table(table_name)) {
      loaded.errors.push_back({line_of(table_node), "unknown section [" + table_name + "]"});
      continue;
    }
    const auto* table = table_node.as_table();
    if (!table) {
      loaded.errors.push_back({line_of(table_node), table_name + ": expected a [" + table_name + "] section"});
      continue;
    }
    for (auto&& [key, value] : *table) {
      const Setting* s = find_setting(table_name, key.str());
      if (!s) {
        loaded.errors.push_back({line_of(value), table_name + "." + std::string(key.str()) + ": unknown setting"});
        continue;
      }
      apply_setting(*s, value, config, loaded.errors);
    }
  }
  // Intakes default to the team's domain, so they are settled after [team].
  if (intakes_given) {
    apply_intakes(*intake_node, config, loaded.errors);
  } else {
    config.intakes.clear();
    add_default_intakes(config);
  }
  if (config.lmtp.empty() && config.smtp.empty())
    loaded.errors.push_back({0, "listen: both lmtp and smtp are disabled; nothing could deliver"});
  if (config.text_line > config.header_block)
    loaded.errors.push_back({0, "limits.text_line is larger than limits.header_block"});
  if (config.header_block > config.message_size)
    loaded.errors.push_back({0, "limits.header_block is larger than limits.message_size"});
  // In file order (tables are visited alphabetically); file-wide problems last.
  std::stable_sort(loaded.errors.begin(), loaded.errors.end(), [](const ConfigError& a, const ConfigError& b) {
    return (a.line == 0 ? INT_MAX : a.line) < (b.line == 0 ? INT_MAX : b.line);
  });
  return loaded;
}

LoadedConfig load_config_file(const std::filesystem::path& file) {
  auto text = read_whole_file(file);
  if (!text) return {default_config(), {{0, "cannot read " + file.string()}}};
  return parse_config(text.value());
}

}  // namespace csirtgw
