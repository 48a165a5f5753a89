// The command-line grammar: each command group adds its subcommands to the
// CLI11 app and says what runs when one of them is parsed.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

namespace csirtgw {

struct CliCommand {
  CLI::App* subcommand;
  std::function<int()> run;  // the process exit code
};
using CliCommands = std::vector<CliCommand>;

void add_version_flag(CLI::App& app);
void add_serve_command(CLI::App& app, CliCommands& commands);
void add_audit_commands(CLI::App& app, CliCommands& commands);
void add_check_config_command(CLI::App& app, CliCommands& commands);
void add_keys_commands(CLI::App& app, CliCommands& commands);
void add_staff_commands(CLI::App& app, CliCommands& commands);  // staff add|list|remove
void add_triage_commands(CLI::App& app, CliCommands& commands);  // tickets, ticket, queues, stats
void add_search_command(CLI::App& app, CliCommands& commands);   // search (search_command.h)
void add_print_commands(CLI::App& app, CliCommands& commands);   // ack-template, form, config-template, man

}  // namespace csirtgw
