// The subcommands behind `csirtgw <command>`; each returns the process exit code.
#pragma once

#include <optional>
#include <string>

namespace csirtgw {

struct ServeOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::optional<std::string> lmtp;
  std::optional<std::string> smtp;
  std::optional<std::string> smarthost;
};

int run_serve(const ServeOptions& options);

struct KeysOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
};
int run_keys_import(const KeysOptions& options, const std::string& file, bool secret,
                    const std::optional<std::string>& email, const std::string& organisation);
int run_keys_list(const KeysOptions& options, bool json);
int run_keys_remove(const KeysOptions& options, const std::string& fingerprint);
int run_keys_export_team(const KeysOptions& options);
// `staff add|list|remove` (staff_command.cpp): staff keys, audited.
int run_staff_add(const KeysOptions& options, const std::string& file, const std::string& email,
                  const std::string& name);
int run_staff_list(const KeysOptions& options, bool json);
int run_staff_remove(const KeysOptions& options, const std::string& fingerprint);

struct TriageOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> state_dir;
  std::optional<std::string> operator_name;  // --as (root only): see operator_identity.h
};
// run_tickets and the other ticket desk commands: ticket_desk_commands.h
int run_ticket_show(const TriageOptions& options, const std::string& id, bool json);
// take | resolve | reopen | comment (with text); `steal`: take over another analyst's ticket
int run_ticket_action(const TriageOptions& options, const std::string& action, const std::string& id,
                      const std::optional<std::string>& text, bool steal = false);
// --scan: first find moved messages and record them (queue_books.h).
int run_queues(const TriageOptions& options, bool scan);
// Puts a ticket's messages that no queue folder holds back from the store's copy.
int run_ticket_refile(const TriageOptions& options, const std::string& id);
// Staff correspondence (issue 17, correspondence_commands.cpp): FILE "-" is
// standard input. Exit 0 queued, 1 refused, 2 usage, 3 environment failure.
int run_ticket_reply(const TriageOptions& options, const std::string& id, const std::string& file, bool keep_quotes);
int run_ticket_forward(const TriageOptions& options, const std::string& id, const std::string& address,
                       const std::string& file);
int run_stats(const TriageOptions& options, const std::optional<std::string>& since,
              const std::optional<std::string>& until, const std::string& by, const std::string& format);
// Prints the blank reporting form of `schema_file`, or of the embedded default.
int run_form(const std::optional<std::string>& schema_file);
// Prints the embedded default acknowledgement template (schemas/ack-template.txt).
int run_print_ack_template();
// With `anchors_file`, the chain is checked against the signed anchors in it too.
int run_audit_verify(const std::optional<std::string>& config_file, const std::optional<std::string>& state_dir,
                     const std::optional<std::string>& anchors_file = std::nullopt);
// With listen.user set and `user_access`, also whether that user can reach
// every file and the state directory serve opens after dropping privileges.
int run_check_config(const std::optional<std::string>& config_file, bool user_access = true);

}  // namespace csirtgw
