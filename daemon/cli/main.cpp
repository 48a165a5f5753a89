// csirtgw — the mail intake of a CSIRT. One binary; subcommands:
//   serve         run the LMTP/SMTP intake, spool, worker and audit log
//   audit verify  check the audit log's hash chain (and its signed anchors)
//   check-config  validate a configuration file, every error with its line
//   keys          the team key and the reporter key registry
//   tickets, ticket, queues, stats   triage
//   form          print the blank reporting form
//   ack-template  print the default acknowledgement template
//   config-template, man   the default config file and the manual pages
#include <CLI/CLI.hpp>

#include "commands.h"
#include "reference_docs.h"

int main(int argc, char** argv) {
  CLI::App app{"csirtgw: secure incident-report mail gateway for CSIRTs"};
  app.require_subcommand(1);

  csirtgw::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the daemon in the foreground (logs on stderr); the team key is "
                                                 "tried first and a key that cannot work refuses the start");
  serve_cmd->add_option("--config", serve.config_file, "TOML configuration file (default: embedded defaults)");
  serve_cmd->add_option("--state-dir", serve.state_dir, "State directory (spool, queues, database, GnuPG home)");
  serve_cmd->add_option("--lmtp", serve.lmtp, "LMTP listener: HOST:PORT or unix:PATH; \"\" disables");
  serve_cmd->add_option("--smtp", serve.smtp, "SMTP listener: HOST:PORT or unix:PATH; \"\" disables");
  serve_cmd->add_option("--smarthost", serve.smarthost, "HOST:PORT of the relay for outgoing mail");

  std::optional<std::string> audit_config, audit_state_dir, audit_anchors;
  auto* audit_cmd = app.add_subcommand("audit", "Audit log commands");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Verify the audit log's hash chain; prints the head hash");
  verify_cmd->add_option("--config", audit_config, "Configuration file naming the state directory");
  verify_cmd->add_option("--state-dir", audit_state_dir, "State directory holding csirtgw.db");
  verify_cmd->add_option("--anchors", audit_anchors,
                         "Also check the chain against the signed anchors in this file (a copy of audit-anchors.asc)");

  std::optional<std::string> check_config_file;
  auto* check_cmd = app.add_subcommand("check-config", "Validate a configuration file; every error with its line; "
                                                       "try the team key (one signature, one decryption)");
  check_cmd->add_option("--config", check_config_file, "TOML configuration file (default: embedded defaults)");
  check_cmd->add_option("FILE", check_config_file, "The same as --config FILE");
  bool check_no_access = false;
  check_cmd->add_flag("--no-access-check", check_no_access,
                      "Do not check that listen.user can reach the files and state directory, nor try the team key "
                      "of the state directory (a file checked away from where it will be used, as the build does)");

  csirtgw::KeysOptions keys;
  auto* keys_cmd = app.add_subcommand("keys", "Team key and reporter key registry");
  keys_cmd->require_subcommand(1);
  keys_cmd->add_option("--config", keys.config_file, "Configuration file naming the state directory");
  keys_cmd->add_option("--state-dir", keys.state_dir, "State directory");
  std::string import_file, import_org;
  std::optional<std::string> import_email;
  bool import_secret = false;
  auto* import_cmd = keys_cmd->add_subcommand("import", "Import OpenPGP key(s) and bind them to reporters' addresses");
  import_cmd->add_option("FILE", import_file, "Key file (armored or binary)")->required();
  import_cmd->add_option("--email", import_email, "Bind only this address (default: every address in the key's user ids)");
  import_cmd->add_option("--org", import_org, "Organisation / constituency of the reporter");
  import_cmd->add_flag("--secret", import_secret,
                       "Import the team's secret key (no binding), after trying it: one signature and one decryption "
                       "without a pinentry; a key that cannot work is refused with the reason");
  bool list_json = false;
  auto* list_cmd = keys_cmd->add_subcommand("list", "List registered reporter keys");
  list_cmd->add_flag("--json", list_json, "JSON output");
  std::string remove_fpr;
  auto* remove_cmd = keys_cmd->add_subcommand("remove", "Remove a reporter key and its bindings");
  remove_cmd->add_option("FPR", remove_fpr, "Fingerprint")->required();
  auto* export_cmd = keys_cmd->add_subcommand("export-team", "Print the team's public key, armored");
  for (auto* sub : {import_cmd, list_cmd, remove_cmd, export_cmd}) {
    sub->add_option("--config", keys.config_file, "Configuration file naming the state directory");
    sub->add_option("--state-dir", keys.state_dir, "State directory");
  }

  // Triage: tickets, queues, statistics.
  csirtgw::TriageOptions triage;
  auto add_triage_options = [&triage](CLI::App* sub) {
    sub->add_option("--config", triage.config_file, "Configuration file naming the state directory");
    sub->add_option("--state-dir", triage.state_dir, "State directory");
  };
  std::optional<std::string> list_queue, list_state;
  bool tickets_json = false;
  auto* tickets_cmd = app.add_subcommand("tickets", "List tickets, most urgent first");
  tickets_cmd->add_option("--queue", list_queue, "Only this queue");
  tickets_cmd->add_option("--state", list_state, "Only this state (open, taken, resolved)");
  tickets_cmd->add_flag("--json", tickets_json, "JSON output");
  add_triage_options(tickets_cmd);

  auto* ticket_cmd = app.add_subcommand("ticket", "Show or act on one ticket (every action is audited)");
  ticket_cmd->require_subcommand(1);
  std::string ticket_id;
  std::optional<std::string> comment_text;
  bool show_json = false;
  auto* show_cmd = ticket_cmd->add_subcommand("show", "Show a ticket, its messages and who a signature verified");
  show_cmd->add_option("ID", ticket_id, "Ticket number (42, #42 or \"XYZ-CERT #42\")")->required();
  show_cmd->add_flag("--json", show_json, "JSON output");
  add_triage_options(show_cmd);
  std::vector<std::pair<std::string, CLI::App*>> actions;
  for (const char* action : {"take", "resolve", "reopen"}) {
    auto* sub = ticket_cmd->add_subcommand(action, std::string(action) + " a ticket");
    sub->add_option("ID", ticket_id, "Ticket number")->required();
    sub->add_option("--as", triage.operator_name, "Operator name for the audit log (default: SUDO_USER or login)");
    add_triage_options(sub);
    actions.emplace_back(action, sub);
  }
  auto* comment_cmd = ticket_cmd->add_subcommand("comment", "Add a comment to a ticket");
  comment_cmd->add_option("ID", ticket_id, "Ticket number")->required();
  comment_cmd->add_option("TEXT", comment_text, "Comment")->required();
  comment_cmd->add_option("--as", triage.operator_name, "Operator name for the audit log");
  add_triage_options(comment_cmd);
  actions.emplace_back("comment", comment_cmd);

  auto* queues_cmd = app.add_subcommand("queues", "Queues with their message and ticket counts");
  add_triage_options(queues_cmd);

  std::optional<std::string> stats_since, stats_until;
  std::string stats_by = "type";
  bool stats_json = false, stats_csv = false;
  auto* stats_cmd = app.add_subcommand("stats", "Incident counts, no identifying data (RFC 2350 statistics)");
  stats_cmd->add_option("--since", stats_since, "From this date (YYYY-MM-DD)");
  stats_cmd->add_option("--until", stats_until, "Up to and including this date (YYYY-MM-DD)");
  stats_cmd->add_option("--by", stats_by, "type, category, constituency or month")->check(CLI::IsMember({"type", "category", "constituency", "month"}));
  stats_cmd->add_flag("--json", stats_json, "JSON output");
  stats_cmd->add_flag("--csv", stats_csv, "CSV output");
  add_triage_options(stats_cmd);

  std::optional<std::string> form_schema;
  auto* ack_template_cmd =
      app.add_subcommand("ack-template", "Print the default acknowledgement template (a start for ack.template)");
  auto* form_cmd = app.add_subcommand("form", "Print the blank incident reporting form");
  form_cmd->add_option("--schema", form_schema, "Form schema file (default: the embedded one)");

  std::vector<std::string> template_overrides;
  auto* template_cmd = app.add_subcommand("config-template", "Print a configuration file listing every setting, commented out, with its default");
  template_cmd->add_option("--set", template_overrides, "TABLE.KEY=VALUE written uncommented (repeatable)");
  int man_section = 8;
  auto* man_cmd = app.add_subcommand("man", "Print a manual page (roff): 8 for csirtgw(8), 5 for csirtgw.conf(5)");
  man_cmd->add_option("SECTION", man_section, "5 or 8")->required()->check(CLI::IsMember({5, 8}));

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return csirtgw::run_serve(serve);
  if (verify_cmd->parsed()) return csirtgw::run_audit_verify(audit_config, audit_state_dir, audit_anchors);
  if (check_cmd->parsed()) return csirtgw::run_check_config(check_config_file, !check_no_access);
  if (import_cmd->parsed())
    return csirtgw::run_keys_import(keys, import_file, import_secret, import_email, import_org);
  if (list_cmd->parsed()) return csirtgw::run_keys_list(keys, list_json);
  if (remove_cmd->parsed()) return csirtgw::run_keys_remove(keys, remove_fpr);
  if (export_cmd->parsed()) return csirtgw::run_keys_export_team(keys);
  if (tickets_cmd->parsed()) return csirtgw::run_tickets(triage, list_queue, list_state, tickets_json);
  if (show_cmd->parsed()) return csirtgw::run_ticket_show(triage, ticket_id, show_json);
  for (const auto& [action, sub] : actions)
    if (sub->parsed()) return csirtgw::run_ticket_action(triage, action, ticket_id, comment_text);
  if (queues_cmd->parsed()) return csirtgw::run_queues(triage);
  if (stats_cmd->parsed())
    return csirtgw::run_stats(triage, stats_since, stats_until, stats_by, stats_json ? "json" : stats_csv ? "csv" : "text");
  if (form_cmd->parsed()) return csirtgw::run_form(form_schema);
  if (ack_template_cmd->parsed()) return csirtgw::run_print_ack_template();
  if (template_cmd->parsed()) return csirtgw::run_config_template(template_overrides);
  if (man_cmd->parsed()) return csirtgw::run_man(app, man_section);
  return 2;
}
