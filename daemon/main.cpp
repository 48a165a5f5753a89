// csirtgw — the mail intake of a CSIRT. One binary; subcommands:
//   serve         run the LMTP/SMTP intake, spool, worker and audit log
//   audit verify  check the audit log's hash chain
//   check-config  validate a configuration file, every error with its line
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"csirtgw: secure incident-report mail gateway for CSIRTs"};
  app.require_subcommand(1);

  csirtgw::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the daemon in the foreground (logs on stderr)");
  serve_cmd->add_option("--config", serve.config_file, "TOML configuration file (default: embedded defaults)");
  serve_cmd->add_option("--state-dir", serve.state_dir, "State directory (spool, queues, database, GnuPG home)");
  serve_cmd->add_option("--lmtp", serve.lmtp, "LMTP listener: HOST:PORT or unix:PATH; \"\" disables");
  serve_cmd->add_option("--smtp", serve.smtp, "SMTP listener: HOST:PORT or unix:PATH; \"\" disables");
  serve_cmd->add_option("--smarthost", serve.smarthost, "HOST:PORT of the relay for outgoing mail");

  std::optional<std::string> audit_config, audit_state_dir;
  auto* audit_cmd = app.add_subcommand("audit", "Audit log commands");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Verify the audit log's hash chain; prints the head hash");
  verify_cmd->add_option("--config", audit_config, "Configuration file naming the state directory");
  verify_cmd->add_option("--state-dir", audit_state_dir, "State directory holding csirtgw.db");

  std::optional<std::string> check_config_file;
  auto* check_cmd = app.add_subcommand("check-config", "Validate a configuration file; every error with its line");
  check_cmd->add_option("--config", check_config_file, "TOML configuration file (default: embedded defaults)");

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
  import_cmd->add_flag("--secret", import_secret, "Import the team's secret key (no binding)");
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

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return csirtgw::run_serve(serve);
  if (verify_cmd->parsed()) return csirtgw::run_audit_verify(audit_config, audit_state_dir);
  if (check_cmd->parsed()) return csirtgw::run_check_config(check_config_file);
  if (import_cmd->parsed())
    return csirtgw::run_keys_import(keys, import_file, import_secret, import_email, import_org);
  if (list_cmd->parsed()) return csirtgw::run_keys_list(keys, list_json);
  if (remove_cmd->parsed()) return csirtgw::run_keys_remove(keys, remove_fpr);
  if (export_cmd->parsed()) return csirtgw::run_keys_export_team(keys);
  return 2;
}
