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

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return csirtgw::run_serve(serve);
  if (verify_cmd->parsed()) return csirtgw::run_audit_verify(audit_config, audit_state_dir);
  if (check_cmd->parsed()) return csirtgw::run_check_config(check_config_file);
  return 2;
}
