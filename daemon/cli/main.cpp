// csirtgw — the mail intake of a CSIRT. One binary; subcommands:
//   serve         run the LMTP/SMTP intake, spool, worker and audit log
//   audit verify  check the audit log's hash chain (and its signed anchors)
//   check-config  validate a configuration file, every error with its line
//   keys          the team key and the reporter key registry
//   tickets, ticket, queues, stats   triage
//   search        stored indicators across all tickets
//   form          print the blank reporting form
//   ack-template  print the default acknowledgement template
//   config-template, man   the default config file and the manual pages
// The grammar of each group is in command_line.cpp.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "command_line.h"

int main(int argc, char** argv) {
  CLI::App app{"csirtgw: secure incident-report mail gateway for CSIRTs"};
  // At most one command; none is said after parsing, where an unknown word
  // is named as such rather than as a missing command.
  app.require_subcommand(0, 1);
  csirtgw::add_version_flag(app);
  csirtgw::CliCommands commands;
  csirtgw::add_serve_command(app, commands);
  csirtgw::add_audit_commands(app, commands);
  csirtgw::add_check_config_command(app, commands);
  csirtgw::add_keys_commands(app, commands);
  csirtgw::add_staff_commands(app, commands);
  csirtgw::add_triage_commands(app, commands);
  csirtgw::add_search_command(app, commands);
  csirtgw::add_print_commands(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2, as the other
    // commands' own refusals do.
    return app.exit(e) == 0 ? 0 : 2;
  }
  for (const auto& command : commands)
    if (command.subcommand->parsed()) return command.run();
  std::fprintf(stderr, "A command is required\nRun with --help for more information.\n");
  return 2;
}
