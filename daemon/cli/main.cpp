// csirtgw — the mail intake of a CSIRT. One binary; subcommands:
//   serve         run the LMTP/SMTP intake, spool, worker and audit log
//   audit verify  check the audit log's hash chain (and its signed anchors)
//   check-config  validate a configuration file, every error with its line
//   keys          the team key and the reporter key registry
//   tickets, ticket, queues, stats   triage
//   form          print the blank reporting form
//   ack-template  print the default acknowledgement template
//   config-template, man   the default config file and the manual pages
// The grammar of each group is in command_line.cpp.
#include <CLI/CLI.hpp>

#include "command_line.h"

int main(int argc, char** argv) {
  CLI::App app{"csirtgw: secure incident-report mail gateway for CSIRTs"};
  app.require_subcommand(1);
  csirtgw::CliCommands commands;
  csirtgw::add_serve_command(app, commands);
  csirtgw::add_audit_commands(app, commands);
  csirtgw::add_check_config_command(app, commands);
  csirtgw::add_keys_commands(app, commands);
  csirtgw::add_triage_commands(app, commands);
  csirtgw::add_print_commands(app, commands);

  CLI11_PARSE(app, argc, argv);
  for (const auto& command : commands)
    if (command.subcommand->parsed()) return command.run();
  return 2;
}
