// The daemon's configuration: every setting declared once (name, type, default,
// bounds, meaning) in config.cpp, read from TOML into an immutable Config.
// Precedence: command-line flags > config file > embedded defaults.
// Loading never throws: every problem comes back with its line number.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "result.h"

namespace csirtgw {

// An intake address the MTA may deliver to, and the intake (pipeline) it feeds.
struct Intake {
  std::string name;
  std::string address;  // lower-case addr-spec
  std::string ack_template;  // file; empty: ack.template
  // Where the team's staff write to the gateway (signed commands: reply,
  // comment, forward, resolve); lower-case addr-spec, empty: none.
  std::string staff_address;
};

struct Config {
  // [team]
  std::string team_name;
  std::string team_domain;
  std::string team_key;  // fingerprint; empty: generate on first start
  // [listen]
  std::string lmtp;  // "HOST:PORT", "unix:PATH" or "" (off)
  std::string smtp;
  std::string hostname;
  std::string user;  // drop to this user after binding when started as root
  std::string socket_group;  // group of unix: listener sockets ("" = the daemon's own)
  // [paths]
  std::string state_dir;
  std::string policy_file;  // "" = the embedded schemas/default-policy.toml
  std::string form_file;    // "" = the embedded schemas/reporting-form.toml
  std::string staff_group;  // "" = the store is the daemon's alone
  // [outbound]
  std::string smarthost;  // "" = do not send
  std::int64_t outbound_timeout = 0;    // seconds per connect / command
  std::int64_t outbound_retry_min = 0;  // seconds
  std::int64_t outbound_retry_max = 0;  // seconds
  std::int64_t outbound_give_up = 0;    // seconds
  std::int64_t outbound_poll_interval = 0;  // seconds: rows queued by other processes (issue 17)
  std::int64_t outbound_thread_references = 0;  // Message-IDs in References of staff mail (issue 17)
  // [ack]
  std::int64_t ack_enabled = 0;
  std::int64_t ack_follow_ups = 0;
  std::string ack_on_failure;  // "neutral" | "none"
  std::int64_t ack_rate_limit = 0;
  std::int64_t ack_rate_window = 0;  // seconds
  std::int64_t ack_domain_rate_limit = 0;  // per ack.rate_window, one recipient domain
  std::int64_t ack_global_rate_limit = 0;  // per hour, all recipients
  std::string ack_response_time;
  std::string ack_hours;
  std::string ack_template;  // file; "" = embedded
  // [tickets]
  std::string ticket_due_hours;             // "PRIORITY:HOURS, ..." (ticket_due.h)
  std::int64_t ticket_subject_max = 200;    // octets kept of a new ticket's Subject
  std::int64_t ticket_subject_column = 48;  // octets of the SUBJECT column
  // [limits]
  std::int64_t command_line = 0;
  std::int64_t text_line = 0;
  std::int64_t header_block = 0;
  std::int64_t message_size = 0;
  std::int64_t recipients = 0;
  std::int64_t bad_commands = 0;
  std::int64_t connections = 0;
  std::int64_t idle_timeout = 0;      // seconds
  std::int64_t session_deadline = 0;  // seconds
  std::int64_t shutdown_grace = 0;    // seconds
  // [mime]
  std::int64_t mime_depth = 0;
  std::int64_t mime_parts = 0;
  // [openpgp]
  std::int64_t openpgp_max_plaintext = 0;
  std::int64_t openpgp_timeout = 0;  // seconds
  std::int64_t openpgp_agents = 0;
  std::int64_t openpgp_worker_failures = 0;
  std::int64_t openpgp_signature_max_age = 0;  // seconds
  std::int64_t openpgp_date_skew = 0;          // seconds
  // [worker]
  std::int64_t worker_batch = 0;
  std::int64_t worker_threads = 0;  // 0: one per core
  std::int64_t commit_batch = 0;
  // [audit]
  std::int64_t audit_anchor_interval = 0;  // seconds
  // [search]
  std::int64_t search_max_indicators = 0;  // stored per message
  // [[intake]]
  std::vector<Intake> intakes;

  // The intake for an envelope recipient, or nullptr: nobody else is served.
  const Intake* intake_for(std::string_view address) const;
  // The intake whose staff address this is, or nullptr (intake_for finds it too).
  const Intake* staff_intake_for(std::string_view address) const;
};

struct ConfigError {
  int line = 0;  // 0: not tied to a line
  std::string message;
};

struct LoadedConfig {
  Config config;
  std::vector<ConfigError> errors;  // empty when the file is valid
};

// Describes one setting, for documentation (help, man page, default config).
struct SettingInfo {
  std::string table;
  std::string key;
  std::string type;
  std::string default_value;
  std::string description;
  bool applied_on_reload = false;  // false: a changed value needs a restart
};
std::vector<SettingInfo> describe_settings();

// A reload (SIGHUP): `wanted` is the configuration as read again. Every setting
// that cannot change while running keeps its running value; `needs_restart`
// names those whose value differed ("listen.smtp", "[[intake]]").
struct ReloadedConfig {
  Config config;
  std::vector<std::string> needs_restart;
};
ReloadedConfig config_for_reload(const Config& running, Config wanted);

// The embedded defaults, as if from an empty file.
Config default_config();

// Parses TOML text; `origin` names it in error messages.
LoadedConfig parse_config(std::string_view toml_text);

// Reads and parses a file; a missing or unreadable file is one error.
LoadedConfig load_config_file(const std::filesystem::path& file);

// Checks a listen address "HOST:PORT" or "unix:/abs/path" (empty = off).
std::optional<std::string> listen_address_problem(std::string_view address);

}  // namespace csirtgw
