// The TOML configuration (daemon/config/config.cpp): defaults, overrides, every error
// with its line number, and the settings table that documents them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include "config.h"

namespace csirtgw {
namespace {

// Every setting as "table.key" → value text, so configs can be compared whole.
std::map<std::string, std::string> settings_of(const Config& c) {
  return {
      {"team.name", c.team_name},
      {"team.domain", c.team_domain},
      {"team.key", c.team_key},
      {"listen.lmtp", c.lmtp},
      {"listen.smtp", c.smtp},
      {"listen.hostname", c.hostname},
      {"listen.user", c.user},
      {"listen.socket_group", c.socket_group},
      {"paths.policy", c.policy_file},
      {"paths.form", c.form_file},
      {"paths.staff_group", c.staff_group},
      {"paths.state_dir", c.state_dir},
      {"outbound.smarthost", c.smarthost},
      {"outbound.timeout", std::to_string(c.outbound_timeout)},
      {"outbound.retry_min", std::to_string(c.outbound_retry_min)},
      {"outbound.retry_max", std::to_string(c.outbound_retry_max)},
      {"outbound.give_up", std::to_string(c.outbound_give_up)},
      {"outbound.poll_interval", std::to_string(c.outbound_poll_interval)},
      {"outbound.thread_references", std::to_string(c.outbound_thread_references)},
      {"ack.enabled", std::to_string(c.ack_enabled)},
      {"ack.follow_ups", std::to_string(c.ack_follow_ups)},
      {"ack.on_failure", c.ack_on_failure},
      {"ack.rate_limit", std::to_string(c.ack_rate_limit)},
      {"ack.rate_window", std::to_string(c.ack_rate_window)},
      {"ack.domain_rate_limit", std::to_string(c.ack_domain_rate_limit)},
      {"ack.global_rate_limit", std::to_string(c.ack_global_rate_limit)},
      {"ack.response_time", c.ack_response_time},
      {"ack.hours", c.ack_hours},
      {"ack.template", c.ack_template},
      {"tickets.due_hours", c.ticket_due_hours},
      {"tickets.subject_max", std::to_string(c.ticket_subject_max)},
      {"tickets.subject_column", std::to_string(c.ticket_subject_column)},
      {"limits.command_line", std::to_string(c.command_line)},
      {"limits.text_line", std::to_string(c.text_line)},
      {"limits.header_block", std::to_string(c.header_block)},
      {"limits.message_size", std::to_string(c.message_size)},
      {"limits.recipients", std::to_string(c.recipients)},
      {"limits.bad_commands", std::to_string(c.bad_commands)},
      {"limits.connections", std::to_string(c.connections)},
      {"limits.idle_timeout", std::to_string(c.idle_timeout)},
      {"limits.session_deadline", std::to_string(c.session_deadline)},
      {"limits.shutdown_grace", std::to_string(c.shutdown_grace)},
      {"mime.depth", std::to_string(c.mime_depth)},
      {"mime.parts", std::to_string(c.mime_parts)},
      {"openpgp.max_plaintext", std::to_string(c.openpgp_max_plaintext)},
      {"openpgp.timeout", std::to_string(c.openpgp_timeout)},
      {"openpgp.worker_failures", std::to_string(c.openpgp_worker_failures)},
      {"openpgp.signature_max_age", std::to_string(c.openpgp_signature_max_age)},
      {"openpgp.date_skew", std::to_string(c.openpgp_date_skew)},
      {"openpgp.agents", std::to_string(c.openpgp_agents)},
      {"worker.batch", std::to_string(c.worker_batch)},
      {"worker.threads", std::to_string(c.worker_threads)},
      {"worker.commit_batch", std::to_string(c.commit_batch)},
      {"audit.anchor_interval", std::to_string(c.audit_anchor_interval)},
      {"search.max_indicators_per_message", std::to_string(c.search_max_indicators)},
  };
}

std::string intakes_of(const Config& c) {
  std::string out;
  for (const auto& i : c.intakes) out += i.name + "=" + i.address + ";";
  return out;
}

// The errors as "LINE: message" lines, in the order parse_config gives them:
// file order, file-wide problems (line 0) last.
std::string errors_of(const LoadedConfig& loaded) {
  std::string out;
  for (const auto& e : loaded.errors) out += std::to_string(e.line) + ": " + e.message + "\n";
  return out;
}

const std::map<std::string, std::string> kDefaults = {
    {"team.name", "Example CERT"},
    {"team.domain", "csirt.example"},
    {"team.key", ""},
    {"listen.lmtp", "127.0.0.1:2424"},
    {"listen.smtp", "127.0.0.1:2525"},
    {"listen.hostname", "csirtgw.localhost"},
    {"listen.user", ""},
    {"listen.socket_group", ""},
    {"paths.policy", ""},
    {"paths.form", ""},
    {"paths.staff_group", ""},
    {"paths.state_dir", "var"},
    {"outbound.smarthost", "127.0.0.1:25"},
    {"outbound.timeout", "60"},
    {"outbound.retry_min", "60"},
    {"outbound.retry_max", "3600"},
    {"outbound.give_up", "432000"},
    {"outbound.poll_interval", "5"},
    {"outbound.thread_references", "10"},
    {"ack.enabled", "1"},
    {"ack.follow_ups", "0"},
    {"ack.on_failure", "neutral"},
    {"ack.rate_limit", "5"},
    {"ack.rate_window", "3600"},
    {"ack.domain_rate_limit", "50"},
    {"ack.global_rate_limit", "500"},
    {"ack.response_time", "Some response will be made within one working day."},
    {"ack.hours", "Monday to Friday, 09:00 to 17:00 local time, except public holidays."},
    {"ack.template", ""},
    {"tickets.due_hours", "2:4, 5:8, 9:24, 13:72"},
    {"tickets.subject_max", "200"},
    {"tickets.subject_column", "48"},
    {"limits.command_line", "512"},
    {"limits.text_line", "1000"},
    {"limits.header_block", "102400"},
    {"limits.message_size", "10240000"},
    {"limits.recipients", "100"},
    {"limits.bad_commands", "20"},
    {"limits.connections", "1500"},
    {"limits.idle_timeout", "300"},
    {"limits.session_deadline", "1800"},
    {"limits.shutdown_grace", "10"},
    {"mime.depth", "32"},
    {"mime.parts", "1000"},
    {"openpgp.max_plaintext", "67108864"},
    {"openpgp.timeout", "30"},
    {"openpgp.worker_failures", "3"},
    {"openpgp.signature_max_age", "604800"},
    {"openpgp.date_skew", "14400"},
    {"openpgp.agents", "1"},
    {"worker.batch", "64"},
    {"worker.threads", "0"},
    {"worker.commit_batch", "256"},
    {"audit.anchor_interval", "300"},
    {"search.max_indicators_per_message", "1000"},
};
const std::string kDefaultIntakes = "cert=cert@csirt.example;abuse=abuse@csirt.example;vuln=vuln@csirt.example;";

}  // namespace

TEST_CASE("config: defaults") {
  SUBCASE("default_config") {
    const Config c = default_config();
    CHECK(settings_of(c) == kDefaults);
    CHECK(intakes_of(c) == kDefaultIntakes);
  }
  SUBCASE("an empty file") {
    const auto loaded = parse_config("");
    CHECK(errors_of(loaded) == "");
    CHECK(settings_of(loaded.config) == kDefaults);
    CHECK(intakes_of(loaded.config) == kDefaultIntakes);
  }
  SUBCASE("only comments and empty sections") {
    const auto loaded = parse_config("# nothing\n[team]\n[limits]\n");
    CHECK(errors_of(loaded) == "");
    CHECK(settings_of(loaded.config) == kDefaults);
  }
}

TEST_CASE("config: intake_for") {
  const Config c = default_config();
  struct Row {
    std::string address;
    const char* intake;  // nullptr: not served
  };
  const Row rows[] = {
      {"cert@csirt.example", "cert"},   {"ABUSE@Csirt.Example", "abuse"}, {"vuln@csirt.example", "vuln"},
      {"cert@csirt.example.evil", nullptr}, {"cert@sub.csirt.example", nullptr}, {"postmaster@csirt.example", nullptr},
      {"", nullptr},                    {"cert", nullptr},
  };
  for (const auto& row : rows) {
    CAPTURE(row.address);
    const Intake* found = c.intake_for(row.address);
    if (row.intake) {
      REQUIRE(found != nullptr);
      CHECK(found->name == row.intake);
    } else {
      CHECK(found == nullptr);
    }
  }
}

TEST_CASE("config: overrides") {
  struct Row {
    std::string name;
    std::string toml;
    std::map<std::string, std::string> changed;  // settings that differ from the defaults
    std::string intakes;                          // expected intakes
  };
  const std::vector<Row> rows = {
      {"team", "[team]\nname = \"Other CERT\"\ndomain = \"cert.example.net\"\nkey = \"0123456789ABCDEF0123456789abcdef01234567\"\n",
       {{"team.name", "Other CERT"}, {"team.domain", "cert.example.net"},
        {"team.key", "0123456789ABCDEF0123456789abcdef01234567"}},
       "cert=cert@cert.example.net;abuse=abuse@cert.example.net;vuln=vuln@cert.example.net;"},
      {"upper-case domain: default intakes are lower-cased", "[team]\ndomain = \"CSIRT.Example.ORG\"\n",
       {{"team.domain", "CSIRT.Example.ORG"}},
       "cert=cert@csirt.example.org;abuse=abuse@csirt.example.org;vuln=vuln@csirt.example.org;"},
      {"listen", "[listen]\nlmtp = \"unix:/run/csirtgw/lmtp\"\nsmtp = \"\"\nhostname = \"gw.csirt.example\"\nuser = \"csirtgw\"\n",
       {{"listen.lmtp", "unix:/run/csirtgw/lmtp"}, {"listen.smtp", ""}, {"listen.hostname", "gw.csirt.example"},
        {"listen.user", "csirtgw"}},
       kDefaultIntakes},
      {"listen on port 0", "[listen]\nlmtp = \"127.0.0.1:0\"\n", {{"listen.lmtp", "127.0.0.1:0"}}, kDefaultIntakes},
      {"paths and outbound", "[paths]\nstate_dir = \"/var/lib/csirtgw\"\n[outbound]\nsmarthost = \"mail.example:587\"\n",
       {{"paths.state_dir", "/var/lib/csirtgw"}, {"outbound.smarthost", "mail.example:587"}}, kDefaultIntakes},
      {"empty smarthost", "[outbound]\nsmarthost = \"\"\n", {{"outbound.smarthost", ""}}, kDefaultIntakes},
      {"limits at their bounds",
       "[limits]\ncommand_line = 64\ntext_line = 80\nheader_block = 1024\nmessage_size = 1024\nrecipients = 1\nbad_commands = 10000\n"
       "connections = 100000\nidle_timeout = 86400\nsession_deadline = 604800\nshutdown_grace = 0\n"
       "[worker]\nbatch = 10000\ncommit_batch = 1\n",
       {{"limits.command_line", "64"}, {"limits.text_line", "80"}, {"limits.header_block", "1024"},
        {"limits.message_size", "1024"}, {"limits.recipients", "1"}, {"limits.bad_commands", "10000"}, {"limits.connections", "100000"},
        {"limits.idle_timeout", "86400"}, {"limits.session_deadline", "604800"}, {"limits.shutdown_grace", "0"},
        {"worker.batch", "10000"}, {"worker.commit_batch", "1"}},
       kDefaultIntakes},
      {"inline tables and dotted keys", "limits = { recipients = 7 }\nteam.name = \"Dotted\"\n",
       {{"limits.recipients", "7"}, {"team.name", "Dotted"}}, kDefaultIntakes},
      {"intakes replace the defaults, addresses lower-cased",
       "[[intake]]\nname = \"reports\"\naddress = \"Reports@Example.ORG\"\n\n[[intake]]\nname = \"vuln_2\"\n"
       "address = \"security@example.org\"\n",
       {}, "reports=reports@example.org;vuln_2=security@example.org;"},
      {"intakes are independent of the team domain", "[[intake]]\nname = \"x\"\naddress = \"x@y.example\"\n"
       "[team]\ndomain = \"other.example\"\n",
       {{"team.domain", "other.example"}}, "x=x@y.example;"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const auto loaded = parse_config(row.toml);
      CHECK(errors_of(loaded) == "");
      auto expected = kDefaults;
      for (const auto& [key, value] : row.changed) expected[key] = value;
      CHECK(settings_of(loaded.config) == expected);
      CHECK(intakes_of(loaded.config) == row.intakes);
    }
  }
}

TEST_CASE("config: errors come with the right line") {
  struct Row {
    std::string name;
    std::string toml;
    std::string errors;  // "LINE: message\n" for each error, in order
  };
  const std::vector<Row> rows = {
      {"unknown section", "[team]\nname = \"x\"\n\n[teem]\nname = \"y\"\n", "4: unknown section [teem]\n"},
      {"unknown key", "[limits]\nrecipients = 5\nrecipient = 6\n", "3: limits.recipient: unknown setting\n"},
      {"a setting at the top level", "# comment\nhostname = \"x\"\n", "2: unknown section [hostname]\n"},
      {"a section that is not a table", "\nteam = 5\n", "2: team: expected a [team] section\n"},
      {"string expected", "[team]\n\nname = 42\n", "3: team.name: expected a string\n"},
      {"integer expected, got a string", "[limits]\nrecipients = \"100\"\n", "2: limits.recipients: expected an integer\n"},
      {"integer expected, got a float", "[limits]\n\n\nrecipients = 100.0\n", "4: limits.recipients: expected an integer\n"},
      {"a float too large for an integer (fuzz regression)", "[limits]\ntext_line = 1e100\n",
       "2: limits.text_line: expected an integer\n"},
      {"integer expected, got a bool", "[limits]\nrecipients = true\n", "2: limits.recipients: expected an integer\n"},
      {"integer below its minimum", "[limits]\nrecipients = 0\n", "2: limits.recipients: 0 is outside 1..100000\n"},
      {"integer above its maximum", "[worker]\nbatch = 1\ncommit_batch = 10001\n",
       "3: worker.commit_batch: 10001 is outside 1..10000\n"},
      {"negative integer", "[limits]\n\nshutdown_grace = -1\n", "3: limits.shutdown_grace: -1 is outside 0..3600\n"},
      {"listen address without a port", "[listen]\nlmtp = \"127.0.0.1\"\n",
       "2: listen.lmtp: expected HOST:PORT (got \"127.0.0.1\")\n"},
      {"listen port too large", "[listen]\nsmtp = \"127.0.0.1:65536\"\n",
       "2: listen.smtp: port must be a number from 0 to 65535 (got \"127.0.0.1:65536\")\n"},
      {"listen port not a number", "[listen]\n\nsmtp = \"127.0.0.1:smtp\"\n",
       "3: listen.smtp: port must be a number from 0 to 65535 (got \"127.0.0.1:smtp\")\n"},
      {"listen on a host name", "[listen]\nlmtp = \"mail.example:24\"\n",
       "2: listen.lmtp: host must be an IP address (127.0.0.1, [::1]) or localhost (got \"mail.example:24\")\n"},
      {"listen on IPv6 loopback is fine", "[listen]\nlmtp = \"[::1]:2424\"\n", ""},
      {"listen without a host", "[listen]\nlmtp = \":2424\"\n", "2: listen.lmtp: expected HOST:PORT (got \":2424\")\n"},
      {"unix socket path empty", "[listen]\nlmtp = \"unix:\"\n",
       "2: listen.lmtp: unix socket path must be 1..100 characters (got \"unix:\")\n"},
      {"unix socket path too long", "[listen]\nlmtp = \"unix:/" + std::string(100, 's') + "\"\n",
       "2: listen.lmtp: unix socket path must be 1..100 characters (got \"unix:/" + std::string(100, 's') + "\")\n"},
      {"both listeners off", "[listen]\nlmtp = \"\"\nsmtp = \"\"\n",
       "0: listen: both lmtp and smtp are disabled; nothing could deliver\n"},
      {"bad smarthost", "[outbound]\nsmarthost = \"mail.example\"\n",
       "2: outbound.smarthost: expected HOST:PORT (got \"mail.example\")\n"},
      {"bad fingerprint", "[team]\nkey = \"0123\"\n",
       "2: team.key: expected a 40-digit hexadecimal fingerprint (got \"0123\")\n"},
      {"bad domain", "[team]\ndomain = \"csirt example\"\n", "2: team.domain: not a valid domain name (got \"csirt example\")\n"},
      {"bad hostname", "[listen]\nhostname = \"gw_1.example\"\n",
       "2: listen.hostname: not a valid domain name (got \"gw_1.example\")\n"},
      {"text line larger than the header block", "[limits]\ntext_line = 4096\nheader_block = 2048\n",
       "0: limits.text_line is larger than limits.header_block\n"},
      {"header block larger than the message", "[limits]\nmessage_size = 2048\n",
       "0: limits.header_block is larger than limits.message_size\n"},
      {"intake with a bad address", "[[intake]]\nname = \"cert\"\naddress = \"not an address\"\n",
       "1: intake: address \"not an address\" is not a mailbox: control, space or non-ASCII character in address\n"},
      {"intake without an address", "\n[[intake]]\nname = \"cert\"\n",
       "2: intake: address is missing\n"},
      {"intake with a bad name", "[[intake]]\nname = \"a b\"\naddress = \"a@b.example\"\n",
       "1: intake: name must be non-empty letters, digits, '-' or '_'\n"},
      {"intake with an unknown key", "[[intake]]\nname = \"a\"\naddress = \"a@b.example\"\nqueue = \"x\"\n",
       "4: intake.queue: unknown setting\n"},
      {"intake name not a string", "[[intake]]\nname = 1\naddress = \"a@b.example\"\n",
       "1: intake: name must be non-empty letters, digits, '-' or '_'\n2: intake.name: expected a string\n"},
      {"intake address twice", "[[intake]]\nname = \"a\"\naddress = \"a@b.example\"\n[[intake]]\nname = \"b\"\n"
       "address = \"A@B.example\"\n",
       "4: intake: address a@b.example appears twice\n"},
      {"intake is not an array of tables", "intake = \"cert@csirt.example\"\n",
       "1: intake: expected [[intake]] tables\n"},
      {"bad_commands below its minimum", "[limits]\nbad_commands = 0\n", "2: limits.bad_commands: 0 is outside 1..10000\n"},
      {"anchor interval 0", "[audit]\nanchor_interval = 0\n", "2: audit.anchor_interval: 0 is outside 1..86400\n"},
      {"anchor interval over a day", "[audit]\nanchor_interval = 86401\n",
       "2: audit.anchor_interval: 86401 is outside 1..86400\n"},
      {"unknown audit setting", "[audit]\nanchor_file = \"x\"\n", "2: audit.anchor_file: unknown setting\n"},
      {"file-wide problems come last", "[listen]\nlmtp = \"\"\nsmtp = \"\"\n[limits]\nmessage_size = 2048\nrecipients = 0\n",
       "6: limits.recipients: 0 is outside 1..100000\n"
       "0: listen: both lmtp and smtp are disabled; nothing could deliver\n"
       "0: limits.header_block is larger than limits.message_size\n"},
      {"several errors, in file order", "[limits]\nrecipients = 0\n[listen]\nlmtp = \"x\"\n[bogus]\n",
       "2: limits.recipients: 0 is outside 1..100000\n4: listen.lmtp: expected HOST:PORT (got \"x\")\n"
       "5: unknown section [bogus]\n"},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const auto loaded = parse_config(row.toml);
      CHECK(errors_of(loaded) == row.errors);
    }
  }
}

TEST_CASE("config: a refused value leaves the default in place") {
  const auto loaded = parse_config("[limits]\nrecipients = 0\nconnections = 7\n");
  CHECK(loaded.errors.size() == 1);
  CHECK(loaded.config.recipients == 100);
  CHECK(loaded.config.connections == 7);
}

TEST_CASE("config: TOML syntax errors") {
  struct Row {
    std::string name;
    std::string toml;
    int line;
  };
  const std::vector<Row> rows = {
      {"unterminated string", "[team]\nname = \"x\n", 2},
      {"missing value", "[team]\n\nname =\n", 3},
      {"duplicate key", "[limits]\nrecipients = 1\nrecipients = 2\n", 3},
      {"duplicate table", "[team]\n[listen]\n[team]\n", 3},
      {"garbage", "[limits]\nrecipients = 1\n\n\nthis is not toml\n", 5},
      {"unclosed table header", "[limits\n", 1},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const auto loaded = parse_config(row.toml);
      REQUIRE(loaded.errors.size() == 1);
      CHECK(loaded.errors[0].line == row.line);
      CHECK_FALSE(loaded.errors[0].message.empty());
      // Nothing from a broken file is used.
      CHECK(settings_of(loaded.config) == kDefaults);
    }
  }
}

TEST_CASE("config: load_config_file") {
  const auto dir = std::filesystem::temp_directory_path() / ("csirtgw-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  SUBCASE("a readable file") {
    std::ofstream(dir / "csirtgw.toml") << "[limits]\nrecipients = 3\n";
    const auto loaded = load_config_file(dir / "csirtgw.toml");
    CHECK(errors_of(loaded) == "");
    CHECK(loaded.config.recipients == 3);
  }
  SUBCASE("a missing file is one error without a line") {
    const auto loaded = load_config_file(dir / "missing.toml");
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].line == 0);
    CHECK(loaded.errors[0].message.find("missing.toml") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("config: describe_settings covers every key") {
  const auto settings = describe_settings();
  std::set<std::string> described;
  for (const auto& s : settings) {
    const std::string name = s.table + "." + s.key;
    CAPTURE(name);
    CHECK(described.insert(name).second);  // no key twice
    REQUIRE(kDefaults.count(name) == 1);
    CHECK(s.default_value == kDefaults.at(name));
    CHECK(s.description.size() > 10);
    const std::set<std::string> text_settings = {"outbound.smarthost", "ack.on_failure", "ack.response_time",
                                                 "ack.hours", "ack.template"};
    const bool numeric = name.rfind("limits.", 0) == 0 || name.rfind("worker.", 0) == 0 ||
                         name.rfind("mime.", 0) == 0 || name.rfind("openpgp.", 0) == 0 || name.rfind("audit.", 0) == 0 ||
                         name.rfind("search.", 0) == 0 ||
                         ((name.rfind("outbound.", 0) == 0 || name.rfind("ack.", 0) == 0) && !text_settings.count(name)) ||
                         name == "tickets.subject_max" || name == "tickets.subject_column";
    CHECK(s.type == (numeric ? "integer" : "string"));
  }
  std::set<std::string> expected;
  for (const auto& [name, value] : kDefaults) expected.insert(name);
  CHECK(described == expected);

  SUBCASE("a file written from the descriptions is valid and equals the defaults") {
    std::string toml;
    std::string table;
    for (const auto& s : settings) {
      if (s.table != table) toml += "[" + (table = s.table) + "]\n";
      toml += s.key + " = " + (s.type == "string" ? "\"" + s.default_value + "\"" : s.default_value) + "\n";
    }
    const auto loaded = parse_config(toml);
    CHECK(errors_of(loaded) == "");
    CHECK(settings_of(loaded.config) == kDefaults);
  }
  SUBCASE("every described key is accepted by the parser") {
    for (const auto& s : settings) {
      CAPTURE(s.key);
      const auto loaded = parse_config("[" + s.table + "]\n" + s.key + " = " +
                                       (s.type == "string" ? "\"" + s.default_value + "\"" : s.default_value) + "\n");
      CHECK(errors_of(loaded) == "");
    }
  }
}

// What a reload (SIGHUP) may change: only what the pipeline worker reads per
// batch. Everything the listeners, the committer, the agent shards and the stage
// threads were set up with keeps its running value and is named for a restart.
const std::set<std::string> kAppliedOnReload = {
    "team.name", "paths.policy", "paths.form", "mime.depth", "mime.parts",
    "openpgp.max_plaintext", "openpgp.timeout", "openpgp.worker_failures", "openpgp.signature_max_age",
    "openpgp.date_skew", "worker.batch", "search.max_indicators_per_message",
    "ack.enabled", "ack.follow_ups", "ack.on_failure", "ack.rate_limit", "ack.rate_window",
    "ack.domain_rate_limit", "ack.global_rate_limit", "ack.response_time", "ack.hours", "ack.template",
    "tickets.due_hours", "tickets.subject_max", "tickets.subject_column",
};

TEST_CASE("config: which settings a reload applies") {
  for (const auto& s : describe_settings()) {
    const std::string name = s.table + "." + s.key;
    CAPTURE(name);
    CHECK(s.applied_on_reload == (kAppliedOnReload.count(name) == 1));
  }
}

TEST_CASE("config: config_for_reload") {
  const Config running = parse_config("[paths]\npolicy = \"/etc/csirtgw/policy.toml\"\n[worker]\nthreads = 2\n").config;
  struct Row {
    std::string name;
    std::string toml;  // the file as read again
    std::map<std::string, std::string> applied;  // settings that take the new value
    std::vector<std::string> needs_restart;      // in kSettings order, [[intake]] last
  };
  const std::vector<Row> rows = {
      {"the same file", "[paths]\npolicy = \"/etc/csirtgw/policy.toml\"\n[worker]\nthreads = 2\n", {}, {}},
      {"only settings a reload applies",
       "[team]\nname = \"New CERT\"\n[paths]\npolicy = \"/etc/csirtgw/new.toml\"\nform = \"/etc/csirtgw/form.toml\"\n"
       "[mime]\ndepth = 8\nparts = 50\n[openpgp]\nmax_plaintext = 2048\ntimeout = 5\nworker_failures = 7\n"
       "[worker]\nthreads = 2\nbatch = 3\n",
       {{"team.name", "New CERT"}, {"paths.policy", "/etc/csirtgw/new.toml"}, {"paths.form", "/etc/csirtgw/form.toml"},
        {"mime.depth", "8"}, {"mime.parts", "50"}, {"openpgp.max_plaintext", "2048"}, {"openpgp.timeout", "5"},
        {"openpgp.worker_failures", "7"}, {"worker.batch", "3"}},
       {}},
      {"listeners, state, threads and sizes need a restart",
       "[listen]\nsmtp = \"127.0.0.1:25\"\nlmtp = \"unix:/run/x\"\nhostname = \"gw.example\"\nuser = \"nobody\"\n"
       "[paths]\npolicy = \"/etc/csirtgw/policy.toml\"\nstate_dir = \"/srv\"\n"
       "[openpgp]\nagents = 4\n[worker]\nthreads = 8\ncommit_batch = 9\n[limits]\nmessage_size = 204800\n",
       {},
       {"listen.lmtp", "listen.smtp", "listen.hostname", "listen.user", "paths.state_dir", "limits.message_size",
        "openpgp.agents", "worker.threads", "worker.commit_batch"}},
      {"the team key and the smarthost need a restart",
       "[team]\nkey = \"0123456789ABCDEF0123456789ABCDEF01234567\"\n[outbound]\nsmarthost = \"relay.example:25\"\n"
       "[paths]\npolicy = \"/etc/csirtgw/policy.toml\"\n[worker]\nthreads = 2\n",
       {},
       {"team.key", "outbound.smarthost"}},
      {"intakes need a restart (and the domain behind the default ones)",
       "[team]\ndomain = \"other.example\"\n[paths]\npolicy = \"/etc/csirtgw/policy.toml\"\n[worker]\nthreads = 2\n",
       {},
       {"team.domain", "[[intake]]"}},
      {"both kinds at once",
       "[paths]\npolicy = \"/etc/csirtgw/new.toml\"\n[worker]\nthreads = 3\nbatch = 7\n",
       {{"paths.policy", "/etc/csirtgw/new.toml"}, {"worker.batch", "7"}},
       {"worker.threads"}},
  };
  for (const auto& row : rows) {
    SUBCASE(row.name.c_str()) {
      const auto wanted = parse_config(row.toml);
      REQUIRE(errors_of(wanted) == "");
      const auto reloaded = config_for_reload(running, wanted.config);
      auto expected = settings_of(running);
      for (const auto& [key, value] : row.applied) expected[key] = value;
      CHECK(settings_of(reloaded.config) == expected);
      CHECK(intakes_of(reloaded.config) == intakes_of(running));
      CHECK(reloaded.needs_restart == row.needs_restart);
    }
  }
}

TEST_CASE("listen_address_problem") {
  struct Row {
    std::string address;
    bool ok;
  };
  const Row rows[] = {
      {"", true},           {"127.0.0.1:2424", true}, {"0.0.0.0:0", true},       {"[::1]:24", true},
      {"unix:/run/x", true}, {"127.0.0.1", false},    {"127.0.0.1:", false},     {":25", false},
      {"h:123456", false},  {"h:-1", false},          {"h:+25", false},          {"unix:", false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.address);
    CHECK(listen_address_problem(row.address).has_value() == !row.ok);
  }
}

}  // namespace csirtgw

TEST_CASE("config: the README documents every setting") {
  std::ifstream in(std::string(CSIRTGW_SOURCE_DIR) + "/README.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& s : csirtgw::describe_settings()) {
    const std::string row = "| `" + s.table + "." + s.key + "` | `" + s.default_value;
    CAPTURE(row);
    CHECK(text.str().find(row) != std::string::npos);
  }
}
