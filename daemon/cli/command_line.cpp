// The command-line grammar, one function per command group (command_line.h).
// Option values live in shared state the run closures hold, since CLI11
// writes them during parsing, after these functions have returned.
#include "command_line.h"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "commands.h"
#include "reference_docs.h"

namespace csirtgw {
namespace {

// YYYY-MM-DD naming a real day: a typo must not silently select nothing.
const CLI::Validator kCalendarDate(
    [](std::string& value) -> std::string {
      int y = 0, m = 0, d = 0;
      char tail = 0;
      if (value.size() != 10 || std::sscanf(value.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || value[4] != '-' ||
          value[7] != '-')
        return "expected a date as YYYY-MM-DD, got \"" + value + "\"";
      static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1] || (m == 2 && d == 29 && !leap))
        return "no such day: " + value;
      return {};
    },
    "YYYY-MM-DD");

template <typename Options>
void add_location_options(CLI::App* sub, Options& options) {
  sub->add_option("--config", options.config_file, "Configuration file naming the state directory");
  sub->add_option("--state-dir", options.state_dir, "State directory");
}

}  // namespace

void add_version_flag(CLI::App& app) { app.set_version_flag("--version", "csirtgw " CSIRTGW_VERSION); }

void add_serve_command(CLI::App& app, CliCommands& commands) {
  auto serve = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the daemon in the foreground (logs on stderr); the team key is "
                                             "tried first and a key that cannot work refuses the start");
  cmd->add_option("--config", serve->config_file, "TOML configuration file (default: embedded defaults)");
  cmd->add_option("--state-dir", serve->state_dir, "State directory (spool, queues, database, GnuPG home)");
  cmd->add_option("--lmtp", serve->lmtp, "LMTP listener: HOST:PORT or unix:PATH; \"\" disables");
  cmd->add_option("--smtp", serve->smtp, "SMTP listener: HOST:PORT or unix:PATH; \"\" disables");
  cmd->add_option("--smarthost", serve->smarthost, "HOST:PORT of the relay for outgoing mail");
  commands.push_back({cmd, [serve] { return run_serve(*serve); }});
}

void add_audit_commands(CLI::App& app, CliCommands& commands) {
  struct AuditOptions {
    std::optional<std::string> config_file, state_dir, anchors;
  };
  auto audit = std::make_shared<AuditOptions>();
  auto* audit_cmd = app.add_subcommand("audit", "Audit log commands");
  audit_cmd->require_subcommand(1);
  auto* verify = audit_cmd->add_subcommand("verify", "Verify the audit log's hash chain; prints the head hash");
  verify->add_option("--config", audit->config_file, "Configuration file naming the state directory");
  verify->add_option("--state-dir", audit->state_dir, "State directory holding csirtgw.db");
  verify->add_option("--anchors", audit->anchors,
                     "Also check the chain against the signed anchors in this file (a copy of audit-anchors.asc)");
  commands.push_back({verify, [audit] { return run_audit_verify(audit->config_file, audit->state_dir, audit->anchors); }});
}

void add_check_config_command(CLI::App& app, CliCommands& commands) {
  struct CheckOptions {
    std::optional<std::string> config_file;
    bool no_access_check = false;
  };
  auto options = std::make_shared<CheckOptions>();
  auto* check = app.add_subcommand("check-config", "Validate a configuration file; every error with its line; "
                                                  "try the team key (one signature, one decryption)");
  check->add_option("--config", options->config_file, "TOML configuration file (default: embedded defaults)");
  check->add_option("FILE", options->config_file, "The same as --config FILE");
  check->add_flag("--no-access-check", options->no_access_check,
                  "Do not check that listen.user can reach the files and state directory, nor try the team key "
                  "of the state directory (a file checked away from where it will be used, as the build does)");
  commands.push_back({check, [options] { return run_check_config(options->config_file, !options->no_access_check); }});
}

void add_print_commands(CLI::App& app, CliCommands& commands) {
  struct PrintOptions {
    std::optional<std::string> form_schema;
    std::vector<std::string> template_overrides;
    int man_section = 8;
  };
  auto options = std::make_shared<PrintOptions>();
  auto* ack_template =
      app.add_subcommand("ack-template", "Print the default acknowledgement template (a start for ack.template)");
  commands.push_back({ack_template, [] { return run_print_ack_template(); }});
  auto* form = app.add_subcommand("form", "Print the blank incident reporting form");
  form->add_option("--schema", options->form_schema, "Form schema file (default: the embedded one)");
  commands.push_back({form, [options] { return run_form(options->form_schema); }});

  auto* config_template = app.add_subcommand(
      "config-template", "Print a configuration file listing every setting, commented out, with its default");
  config_template->add_option("--set", options->template_overrides, "TABLE.KEY=VALUE written uncommented (repeatable)");
  commands.push_back({config_template, [options] { return run_config_template(options->template_overrides); }});
  auto* man = app.add_subcommand("man", "Print a manual page (roff): 8 for csirtgw(8), 5 for csirtgw.conf(5)");
  man->add_option("SECTION", options->man_section, "5 or 8")->required()->check(CLI::IsMember({5, 8}));
  commands.push_back({man, [options, &app] { return run_man(app, options->man_section); }});
}

void add_keys_commands(CLI::App& app, CliCommands& commands) {
  struct KeysCommandOptions : KeysOptions {
    std::string file, organisation, fingerprint;
    std::optional<std::string> email;
    bool secret = false, json = false;
  };
  auto keys = std::make_shared<KeysCommandOptions>();
  auto* keys_cmd = app.add_subcommand("keys", "Team key and reporter key registry");
  keys_cmd->require_subcommand(1);
  add_location_options(keys_cmd, *keys);

  auto* import = keys_cmd->add_subcommand("import", "Import OpenPGP key(s) and bind them to reporters' addresses");
  import->add_option("FILE", keys->file, "Key file (armored or binary)")->required();
  import->add_option("--email", keys->email, "Bind only this address (default: every address in the key's user ids)");
  import->add_option("--org", keys->organisation, "Organisation / constituency of the reporter");
  import->add_flag("--secret", keys->secret,
                   "Import the team's secret key (no binding), after trying it: one signature and one decryption "
                   "without a pinentry; a key that cannot work is refused with the reason");
  commands.push_back(
      {import, [keys] { return run_keys_import(*keys, keys->file, keys->secret, keys->email, keys->organisation); }});
  auto* list = keys_cmd->add_subcommand("list", "List registered reporter keys");
  list->add_flag("--json", keys->json, "JSON output");
  commands.push_back({list, [keys] { return run_keys_list(*keys, keys->json); }});
  auto* remove = keys_cmd->add_subcommand("remove", "Remove a reporter key and its bindings");
  remove->add_option("FPR", keys->fingerprint, "Fingerprint")->required();
  commands.push_back({remove, [keys] { return run_keys_remove(*keys, keys->fingerprint); }});
  auto* export_team = keys_cmd->add_subcommand("export-team", "Print the team's public key, armored");
  commands.push_back({export_team, [keys] { return run_keys_export_team(*keys); }});
  for (auto* sub : {import, list, remove, export_team}) add_location_options(sub, *keys);
}

namespace {

struct TriageCommandOptions : TriageOptions {
  std::optional<std::string> queue, state, comment, since, until;
  std::string ticket_id, by = "type";
  bool json = false, csv = false, force = false, scan = false;
};

void add_ticket_commands(CLI::App& app, CliCommands& commands, const std::shared_ptr<TriageCommandOptions>& triage) {
  auto* ticket = app.add_subcommand("ticket", "Show or act on one ticket (every action is audited)");
  ticket->require_subcommand(1);
  auto* show = ticket->add_subcommand("show", "Show a ticket, its messages and who a signature verified");
  show->add_option("ID", triage->ticket_id, "Ticket number (42, #42 or \"XYZ-CERT #42\")")->required();
  show->add_flag("--json", triage->json, "JSON output");
  add_location_options(show, *triage);
  commands.push_back({show, [triage] { return run_ticket_show(*triage, triage->ticket_id, triage->json); }});
  auto* refile = ticket->add_subcommand(
      "refile", "Put the ticket's messages that no queue folder holds back into its queue, from the store's copy");
  refile->add_option("ID", triage->ticket_id, "Ticket number")->required();
  refile->add_option("--as", triage->operator_name, "Operator name for the audit log (default: SUDO_USER or login)");
  add_location_options(refile, *triage);
  commands.push_back({refile, [triage] { return run_ticket_refile(*triage, triage->ticket_id); }});
  for (const std::string action : {"take", "resolve", "reopen", "comment"}) {
    auto* sub = ticket->add_subcommand(action, action == "comment" ? "Add a comment to a ticket" : action + " a ticket");
    sub->add_option("ID", triage->ticket_id, "Ticket number")->required();
    if (action == "comment") sub->add_option("TEXT", triage->comment, "Comment")->required();
    if (action == "take") sub->add_flag("--force", triage->force, "Take over a ticket another analyst has taken (audited)");
    sub->add_option("--as", triage->operator_name, "Operator name for the audit log (default: SUDO_USER or login)");
    add_location_options(sub, *triage);
    commands.push_back(
        {sub, [triage, action] { return run_ticket_action(*triage, action, triage->ticket_id, triage->comment, triage->force); }});
  }
}

}  // namespace

void add_triage_commands(CLI::App& app, CliCommands& commands) {
  auto triage = std::make_shared<TriageCommandOptions>();
  auto* tickets = app.add_subcommand("tickets", "List tickets, most urgent first");
  tickets->add_option("--queue", triage->queue, "Only this queue");
  tickets->add_option("--state", triage->state, "Only this state (open, taken, resolved)")
      ->check(CLI::IsMember({"open", "taken", "resolved"}));
  tickets->add_flag("--json", triage->json, "JSON output");
  add_location_options(tickets, *triage);
  commands.push_back({tickets, [triage] { return run_tickets(*triage, triage->queue, triage->state, triage->json); }});

  add_ticket_commands(app, commands, triage);

  auto* queues = app.add_subcommand("queues", "Queues with their message and ticket counts (from the store)");
  queues->add_flag("--scan", triage->scan,
                   "First find filed messages a mail client moved to another queue folder and move their tickets "
                   "(audited); list messages no queue folder holds");
  queues->add_option("--as", triage->operator_name, "Operator name for the audit log (default: SUDO_USER or login)");
  add_location_options(queues, *triage);
  commands.push_back({queues, [triage] { return run_queues(*triage, triage->scan); }});

  auto* stats = app.add_subcommand("stats", "Incident counts, no identifying data (RFC 2350 statistics)");
  stats->add_option("--since", triage->since, "From this date (YYYY-MM-DD)")->check(kCalendarDate);
  stats->add_option("--until", triage->until, "Up to and including this date (YYYY-MM-DD)")->check(kCalendarDate);
  stats->add_option("--by", triage->by, "type, category, constituency or month")
      ->check(CLI::IsMember({"type", "category", "constituency", "month"}));
  stats->add_flag("--json", triage->json, "JSON output");
  stats->add_flag("--csv", triage->csv, "CSV output");
  add_location_options(stats, *triage);
  commands.push_back({stats, [triage] {
                        return run_stats(*triage, triage->since, triage->until, triage->by,
                                         triage->json ? "json" : triage->csv ? "csv" : "text");
                      }});
}

}  // namespace csirtgw
