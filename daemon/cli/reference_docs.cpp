// The manual pages and the configuration template, from the declarations (reference_docs.h).
#include "reference_docs.h"

#include <cstdio>
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "config.h"

namespace csirtgw {
namespace {

std::string toml_value(const SettingInfo& s, const std::string& value) {
  if (s.type == "integer") return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// "# "-comment lines of at most 78 columns.
std::string comment(const std::string& text) {
  std::string out, line = "#";
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (line.size() > 1 && line.size() + 1 + word.size() > 78) {
      out += line + "\n";
      line = "#";
    }
    line += " " + word;
    start = end + 1;
  }
  return out + line + "\n";
}

// Text for roff: backslashes and hyphens escaped, no line taken for a request.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

void man_header(const char* name, int section, const char* title) {
  std::printf(".TH %s %d \"\" \"csirtgw %s\" \"%s\"\n", name, section, CSIRTGW_VERSION, title);
}

void print_conf_page() {
  man_header("CSIRTGW.CONF", 5, "File Formats");
  std::printf(".SH NAME\ncsirtgw.conf \\- configuration of the csirtgw incident-report mail gateway\n"
              ".SH SYNOPSIS\n/etc/csirtgw/csirtgw.conf\n"
              ".SH DESCRIPTION\nA TOML file read by \\fBcsirtgw serve\\fR and checked by "
              "\\fBcsirtgw check\\-config\\fR. Every setting is optional; a missing one takes the default "
              "shown. Unknown sections or keys are errors, reported with their line number. Command-line "
              "flags override the file.\n"
              ".PP\nSIGHUP makes \\fBcsirtgw serve\\fR read the file again, with the policy and form files it "
              "names. A file with an error is refused whole: the errors are logged and the running "
              "configuration stays. Settings marked \\fIreloaded\\fR below take effect for the next batch of "
              "the pipeline worker; a change to any other one is logged as needing a restart and keeps its "
              "old value until then.\n");
  std::string table;
  for (const auto& s : describe_settings()) {
    if (s.table != table) {
      table = s.table;
      std::printf(".SH [%s]\n", table.c_str());
    }
    std::printf(".TP\n\\fB%s\\fR (%s, default: %s; %s)\n%s\n", roff(s.key).c_str(), s.type.c_str(),
                roff(s.type == "string" ? toml_value(s, s.default_value) : s.default_value).c_str(),
                s.applied_on_reload ? "\\fIreloaded\\fR" : "restart", roff(s.description).c_str());
  }
  std::printf(".SH [[intake]]\nEach table names one address the MTA delivers to and the pipeline it feeds; "
              "they replace the default cert@, abuse@ and vuln@ of \\fBteam.domain\\fR. Any other recipient "
              "is refused. A change needs a restart.\n.TP\n.B name\nLetters, digits, \\- or _.\n.TP\n.B address\nThe mailbox.\n"
              ".TP\n.B staff_address\nOptional: where staff send signed commands (reply, comment, forward, "
              "resolve) about this intake's tickets; the default intakes have cert-staff@ of \\fBteam.domain\\fR.\n"
              ".SH EXAMPLE\n.nf\n[listen]\nlmtp = \"unix:/run/csirtgw/lmtp.sock\"\nsmtp = \"\"\n\n"
              "[[intake]]\nname = \"cert\"\naddress = \"cert@cert.example.edu\"\n.fi\n"
              ".SH SEE ALSO\n.BR csirtgw (8)\n");
}

void print_command(const CLI::App& app, const std::string& prefix) {
  const std::string name = prefix.empty() ? app.get_name() : prefix + " " + app.get_name();
  const auto subcommands = app.get_subcommands([](const CLI::App*) { return true; });
  const auto options = app.get_options([&app](const CLI::Option* o) { return o != app.get_help_ptr(); });
  std::string synopsis;
  for (const auto* o : options) {
    const std::string option = o->get_name(false, true);
    const bool takes_value = o->get_type_size() != 0;
    std::string item = o->get_positional() ? option : option + (takes_value ? " " + o->get_type_name() : "");
    synopsis += " " + (o->get_required() ? item : "[" + item + "]");
  }
  if (subcommands.empty() || !options.empty()) {
    std::printf(".TP\n.B csirtgw %s\\fR%s\n%s\n", roff(name).c_str(), roff(synopsis).c_str(),
                roff(app.get_description()).c_str());
    if (!options.empty()) {
      std::printf(".RS\n");
      for (const auto* o : options)
        std::printf(".TP\n.B %s\n%s\n", roff(o->get_name(false, true)).c_str(), roff(o->get_description()).c_str());
      std::printf(".RE\n");
    }
  }
  for (const auto* sub : subcommands) print_command(*sub, name);
}

void print_command_page(const CLI::App& app) {
  man_header("CSIRTGW", 8, "System Administration");
  std::printf(".SH NAME\ncsirtgw \\- secure incident-report mail gateway for CSIRTs\n"
              ".SH SYNOPSIS\n.B csirtgw\n.I command\n[\\fIoptions\\fR]\n"
              ".SH DESCRIPTION\n%s. An MTA delivers mail for the team's intake addresses over LMTP (or SMTP); "
              "each message is spooled durably before it is acknowledged, then decrypted and verified "
              "(OpenPGP), parsed, classified, filed into a Maildir queue and recorded in a hash-chained "
              "audit log. Every command has \\fB\\-\\-help\\fR.\n.SH COMMANDS\n",
              roff(app.get_description()).c_str());
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) print_command(*sub, "");
  std::printf(".SH SIGNALS\n.TP\n.B SIGTERM, SIGINT\n\\fBserve\\fR stops accepting, lets open sessions "
              "finish (\\fBlimits.shutdown_grace\\fR), answers the rest 421 and exits 0.\n"
              ".TP\n.B SIGHUP\n\\fBserve\\fR reads its configuration file again (the command-line flags still "
              "apply) and the policy and reporting form it names, and the pipeline takes them for its next "
              "batch; open sessions are not disturbed. A file with an error is refused whole: every error is "
              "logged and the running configuration stays. Settings that need a restart keep their old values "
              "and are named in a warning (see \\fBcsirtgw.conf\\fR(5)). The agent shards copy the public "
              "keyring again (imported keys reach them anyway with the next message).\n"
              ".SH FILES\n.TP\n.I /etc/csirtgw/csirtgw.conf\nconfiguration, see \\fBcsirtgw.conf\\fR(5)\n"
              ".TP\n.I /var/lib/csirtgw\nstate directory: spool, Maildir queues, \\fIcsirtgw.db\\fR "
              "(SQLite; copied to \\fIcsirtgw.db.bak\\-v\\fRN\\fI\\-\\fRTIME before a schema upgrade), "
              "GnuPG home, \\fIaudit\\-anchors.asc\\fR (the audit chain's head, signed with the team key "
              "every \\fBaudit.anchor_interval\\fR; ship it off the host and check with "
              "\\fBaudit verify \\-\\-anchors\\fR)\n.TP\n.I /run/csirtgw/lmtp.sock\nthe packaged LMTP socket\n"
              ".TP\n.I /usr/share/csirtgw\nthe default policy, taxonomy and reporting form\n"
              ".SH EXIT STATUS\n0 on success, 1 when a check fails, 2 on bad usage or configuration.\n"
              ".SH SEE ALSO\n.BR csirtgw.conf (5),\n.BR postfix (1),\n.BR gpg (1)\n");
}

}  // namespace

int run_config_template(const std::vector<std::string>& overrides) {
  const auto settings = describe_settings();
  std::map<std::string, std::string> set;
  for (const auto& o : overrides) {
    const auto eq = o.find('=');
    const std::string name = o.substr(0, eq);
    bool known = false;
    for (const auto& s : settings) known = known || s.table + "." + s.key == name;
    if (eq == std::string::npos || !known) {
      std::fprintf(stderr, "csirtgw: --set %s: expected TABLE.KEY=VALUE with a known setting\n", o.c_str());
      return 2;
    }
    set[name] = o.substr(eq + 1);
  }
  std::printf("# csirtgw configuration (TOML); see csirtgw.conf(5).\n"
              "# Every setting is listed with its default: remove the '#' to change it.\n"
              "# Check the file with: csirtgw check-config --config FILE\n");
  std::string table;
  for (const auto& s : settings) {
    if (s.table != table) {
      table = s.table;
      std::printf("\n[%s]\n", table.c_str());
    }
    const auto given = set.find(s.table + "." + s.key);
    std::printf("\n%s", comment(s.description + " (" + s.type + (s.applied_on_reload ? "; reloaded on SIGHUP" : "") +
                                 ")").c_str());
    if (given != set.end())
      std::printf("# default: %s = %s\n%s = %s\n", s.key.c_str(), toml_value(s, s.default_value).c_str(),
                  s.key.c_str(), toml_value(s, given->second).c_str());
    else
      std::printf("#%s = %s\n", s.key.c_str(), toml_value(s, s.default_value).c_str());
  }
  std::printf("\n# Intake addresses; without any, cert@, abuse@ and vuln@ of team.domain are served.\n"
              "#[[intake]]\n#name = \"cert\"\n#address = \"cert@csirt.example\"\n#staff_address = \"cert-staff@csirt.example\"\n");
  return 0;
}

int run_man(const CLI::App& app, int section) {
  if (section == 5) print_conf_page();
  else print_command_page(app);
  return 0;
}

}  // namespace csirtgw
