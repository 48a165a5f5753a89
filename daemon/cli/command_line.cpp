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
#include "search_command.h"
#include "ticket_desk_commands.h"

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

// --older-than and --priority: a typo must be an error naming the option, not an empty list.
const CLI::Validator kDuration(
    [](std::string& value) -> std::string {
      return parse_duration(value) ? "" : "expected a duration such as 90s, 45m, 2h, 3d or 1w, got \"" + value + "\"";
    },
    "DURATION");
const CLI::Validator kPriorityRange(
    [](std::string& value) -> std::string {
      return parse_priority_range(value) ? "" : "expected a priority N or a range N-M (1..1000), got \"" + value + "\"";
    },
    "N|N-M");

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

void add_staff_commands(CLI::App& app, CliCommands& commands) {
  struct StaffCommandOptions : KeysOptions {
    std::string file, email, name, fingerprint;
    bool json = false;
  };
  auto staff = std::make_shared<StaffCommandOptions>();
  auto* staff_cmd = app.add_subcommand("staff", "Staff keys: who may command the gateway by signed mail");
  staff_cmd->require_subcommand(1);
  auto* add = staff_cmd->add_subcommand("add", "Add a staff member's public key (one key, able to sign, with ADDR)");
  add->add_option("FILE", staff->file, "Key file (armored or binary), one key")->required();
  add->add_option("--email", staff->email, "The staff member's address (a user id of the key)")->required();
  add->add_option("--name", staff->name, "The staff member's name")->required();
  commands.push_back({add, [staff] { return run_staff_add(*staff, staff->file, staff->email, staff->name); }});
  auto* list = staff_cmd->add_subcommand("list", "List staff keys, removed ones included");
  list->add_flag("--json", staff->json, "JSON output");
  commands.push_back({list, [staff] { return run_staff_list(*staff, staff->json); }});
  auto* remove = staff_cmd->add_subcommand("remove", "Remove a staff key: its mail is refused from now on");
  remove->add_option("FPR", staff->fingerprint, "Fingerprint")->required();
  commands.push_back({remove, [staff] { return run_staff_remove(*staff, staff->fingerprint); }});
  for (auto* sub : {staff_cmd, add, list, remove}) add_location_options(sub, *staff);
}

namespace {

struct TriageCommandOptions : TriageOptions {
  std::optional<std::string> queue, state, comment, since, until, tlp, owner, priority, older_than, reporter, subject;
  std::string ticket_id, other_id, reason, by = "type";
  bool json = false, csv = false, steal = false, overdue = false, all = false, scan = false;
  std::string address, file = "-";  // ticket reply / forward
  bool keep_quotes = false;
};

void add_ticket_desk_commands(CLI::App* ticket, CliCommands& commands,
                              const std::shared_ptr<TriageCommandOptions>& triage) {
  auto* merge = ticket->add_subcommand("merge", "Merge ticket B into ticket A: B's messages, comments, references "
                                                "and links move to A, B's follow-ups join A (audited)");
  merge->add_option("A", triage->ticket_id, "The ticket that goes on")->required();
  merge->add_option("B", triage->other_id, "The duplicate merged into A")->required();
  commands.push_back({merge, [triage] { return run_ticket_merge(*triage, triage->ticket_id, triage->other_id); }});
  auto* link = ticket->add_subcommand("link", "Link two related tickets (shown in `ticket show` of both; audited)");
  auto* unlink = ticket->add_subcommand("unlink", "Remove the link between two tickets (audited)");
  for (auto* sub : {link, unlink}) {
    sub->add_option("A", triage->ticket_id, "Ticket number")->required();
    sub->add_option("B", triage->other_id, "Ticket number")->required();
    const bool removes = sub == unlink;
    commands.push_back(
        {sub, [triage, removes] { return run_ticket_link(*triage, triage->ticket_id, triage->other_id, removes); }});
  }
  auto* reject = ticket->add_subcommand("reject", "Not an incident (a bounce, a list post): state rejected with the "
                                                  "reason, left out of the statistics (audited)");
  reject->add_option("ID", triage->ticket_id, "Ticket number")->required();
  reject->add_option("REASON", triage->reason, "Why it is not an incident")->required();
  commands.push_back({reject, [triage] { return run_ticket_reject(*triage, triage->ticket_id, triage->reason); }});
  for (auto* sub : {merge, link, unlink, reject}) {
    sub->add_option("--as", triage->operator_name, "Root only: act for this existing user account (default: you, the OS user; under sudo SUDO_USER)");
    add_location_options(sub, *triage);
  }
}

// Staff correspondence (issue 17): the gates, composing and spool of daemon/correspondence.
void add_correspondence_commands(CLI::App* ticket, CliCommands& commands,
                                 const std::shared_ptr<TriageCommandOptions>& triage) {
  auto* reply = ticket->add_subcommand(
      "reply", "Reply to the ticket's reporter: signed with the team key, encrypted to the reporter's registered key "
               "when required (exit 1: refused, with the reason)");
  reply->add_option("ID", triage->ticket_id, "Ticket number")->required();
  reply->add_option("FILE", triage->file, "The text (UTF-8); \"-\": standard input")->required();
  reply->add_flag("--keep-quotes", triage->keep_quotes, "Keep quoted lines (\"> \") of the report: to its reporter only");
  add_location_options(reply, *triage);
  commands.push_back({reply, [triage] {
                        return run_ticket_reply(*triage, triage->ticket_id, triage->file, triage->keep_quotes);
                      }});
  auto* forward = ticket->add_subcommand(
      "forward", "Hand the ticket off to ADDR (a registered key), gated by TLP and disclosure; quotes are removed");
  forward->add_option("ID", triage->ticket_id, "Ticket number")->required();
  forward->add_option("ADDR", triage->address, "Recipient address")->required();
  forward->add_option("FILE", triage->file, "The text (UTF-8); \"-\" or none: standard input");
  add_location_options(forward, *triage);
  commands.push_back({forward, [triage] {
                        return run_ticket_forward(*triage, triage->ticket_id, triage->address, triage->file);
                      }});
}

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
  refile->add_option("--as", triage->operator_name, "Root only: act for this existing user account (default: you, the OS user; under sudo SUDO_USER)");
  add_location_options(refile, *triage);
  commands.push_back({refile, [triage] { return run_ticket_refile(*triage, triage->ticket_id); }});
  for (const std::string action : {"take", "resolve", "reopen", "comment"}) {
    auto* sub = ticket->add_subcommand(action, action == "comment" ? "Add a comment to a ticket" : action + " a ticket");
    sub->add_option("ID", triage->ticket_id, "Ticket number")->required();
    if (action == "comment") sub->add_option("TEXT", triage->comment, "Comment")->required();
    if (action == "take") {
      sub->add_flag("--steal", triage->steal, "Take over a ticket another analyst has taken (audited)");
      sub->add_flag("--force", triage->steal)->group("");  // the old name, hidden: scripts keep working
    }
    sub->add_option("--as", triage->operator_name, "Root only: act for this existing user account (default: you, the OS user; under sudo SUDO_USER)");
    add_location_options(sub, *triage);
    commands.push_back(
        {sub, [triage, action] { return run_ticket_action(*triage, action, triage->ticket_id, triage->comment, triage->steal); }});
  }
  add_ticket_desk_commands(ticket, commands, triage);
  add_correspondence_commands(ticket, commands, triage);
}

void add_tickets_command(CLI::App& app, CliCommands& commands, const std::shared_ptr<TriageCommandOptions>& triage) {
  auto* tickets = app.add_subcommand("tickets", "List tickets, most urgent first (rejected and merged ones only "
                                                "with --all or --state)");
  tickets->add_option("--queue", triage->queue, "Only this queue");
  tickets->add_option("--state", triage->state, "Only this state (open, taken, resolved, rejected, merged)")
      ->check(CLI::IsMember({"open", "taken", "resolved", "rejected", "merged"}));
  tickets->add_option("--priority", triage->priority, "Only this priority N, or a range N-M")->check(kPriorityRange);
  tickets->add_option("--tlp", triage->tlp, "Only this TLP label")
      ->transform(CLI::IsMember({"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}, CLI::ignore_case));
  tickets->add_option("--owner", triage->owner, "Only this analyst's tickets; \"none\": nobody's")
      ->check([](const std::string& v) { return v.empty() ? std::string("expected a name or none") : std::string(); });
  const auto not_empty = [](const std::string& v) { return v.empty() ? std::string("must not be empty") : std::string(); };
  tickets->add_option("--reporter", triage->reporter, "Only tickets this address reported (any case)")->check(not_empty);
  tickets->add_option("--subject", triage->subject, "Only tickets whose subject contains this text (any case)")
      ->check(not_empty);
  tickets->add_option("--older-than", triage->older_than, "Only tickets opened longer ago (90s, 45m, 2h, 3d, 1w)")
      ->check(kDuration);
  tickets->add_flag("--overdue", triage->overdue, "Only tickets unanswered past their due time (tickets.due_hours)");
  tickets->add_flag("--all", triage->all, "Also rejected and merged tickets");
  tickets->add_flag("--json", triage->json, "JSON output (every column, the due time and the timestamps)");
  add_location_options(tickets, *triage);
  commands.push_back({tickets, [triage] {
                        TicketFilter filter;
                        filter.queue = triage->queue;
                        filter.state = triage->state;
                        filter.tlp = triage->tlp;
                        filter.owner = triage->owner;
                        filter.reporter = triage->reporter;
                        filter.subject = triage->subject;
                        if (triage->priority) filter.priority = parse_priority_range(*triage->priority);
                        if (triage->older_than) filter.older_than = parse_duration(*triage->older_than);
                        filter.overdue = triage->overdue;
                        filter.all = triage->all;
                        return run_tickets(*triage, filter, triage->json);
                      }});
}

}  // namespace

void add_triage_commands(CLI::App& app, CliCommands& commands) {
  auto triage = std::make_shared<TriageCommandOptions>();
  add_tickets_command(app, commands, triage);

  add_ticket_commands(app, commands, triage);

  auto* queues = app.add_subcommand("queues", "Queues with their message and ticket counts (from the store)");
  queues->add_flag("--scan", triage->scan,
                   "First find filed messages a mail client moved to another queue folder and move their tickets "
                   "(audited); list messages no queue folder holds");
  queues->add_option("--as", triage->operator_name, "Root only: act for this existing user account (default: you, the OS user; under sudo SUDO_USER)");
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

void add_search_command(CLI::App& app, CliCommands& commands) {
  auto search = std::make_shared<SearchOptions>();
  auto* cmd = app.add_subcommand("search", "Find tickets by the indicators of their messages: an IP address (also "
                                             "in stored CIDR blocks), a CIDR block, a domain (and its subdomains), "
                                             "a URL, an e-mail address, a hash or a CVE id");
  cmd->add_option("VALUE", search->value, "What to look for; defanged forms (example[.]org, hxxp://) are read too")
      ->required();
  cmd->add_option("--kind", search->kind, "Only stored indicators of this kind")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kSearchKinds), std::end(kSearchKinds))));
  cmd->add_option("--limit", search->limit, "Most hits shown, newest first (default 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cmd->add_flag("--json", search->json, "JSON output");
  add_location_options(cmd, *search);
  commands.push_back({cmd, [search] { return run_search(*search); }});
}

}  // namespace csirtgw
