// `csirtgw ticket reply ID FILE` and `csirtgw ticket forward ID ADDR [FILE]`:
// staff correspondence from scripts (issue 17), through the same gates,
// composing and outbound spool as mail staff send to the staff address
// (daemon/correspondence). The CLI runs beside the daemon: it signs with the
// team key in <state>/gnupg through its own OpenPGP worker and queues the
// message in the outbound spool, which the running daemon's sender finds
// within outbound.poll_interval. The operator is the OS user (SUDO_USER or
// the login name). Exit: 0 queued, 1 refused (the reason on stderr),
// 2 usage, 3 environment failure (nothing was sent).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "config_resolution.h"
#include "correspondence.h"
#include "durable_file.h"
#include "gnupg_home.h"
#include "policy.h"
#include "store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kEnvironment = 3;

int complain(int code, const std::string& message) {
  std::fprintf(stderr, "csirtgw: %s\n", sanitize_untrusted(message).c_str());
  return code;
}

std::string os_operator() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

// "42", "#42" or "XYZ-CERT #42".
std::optional<std::int64_t> ticket_number(const std::string& text) {
  auto hash = text.rfind('#');
  std::string digits = hash == std::string::npos ? text : text.substr(hash + 1);
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(digits);
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > text.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return false;
    i += n;
  }
  return true;
}

// The staff member's text from FILE ("-": standard input), at most `limit` octets.
Result<std::string> read_text(const std::string& file, std::int64_t limit) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto read = read_whole_file(file);
    if (!read) return Error::bad_input(file + ": " + read.error().message);
    text = std::move(*read);
  }
  if (static_cast<std::int64_t>(text.size()) > limit)
    return Error::bad_input(file + ": longer than limits.message_size (" + std::to_string(limit) + " octets)");
  if (!valid_utf8(text)) return Error::bad_input(file + ": not UTF-8 text");
  return text;
}

int send(const TriageOptions& options, CorrespondenceRequest request, const std::string& id, const std::string& file) {
  auto config = resolve_config(options.config_file);
  if (!config) return kUsage;
  auto number = ticket_number(id);
  if (!number) return complain(kUsage, "not a ticket id: " + id);
  auto text = read_text(file, config->message_size);
  if (!text) return complain(kUsage, text.error().message);
  request.ticket = *number;
  request.text = std::move(*text);
  request.staff = os_operator();

  const auto state_dir = std::filesystem::absolute(options.state_dir ? *options.state_dir : config->state_dir);
  auto db = open_store(state_dir);
  if (!db) return complain(kEnvironment, db.error().message);
  if (auto st = init_gpgme(); !st) return complain(kEnvironment, st.error().message);
  auto team = find_team_key(state_dir / "gnupg", config->team_key);
  if (!team) return complain(kEnvironment, "team key: " + team.error().message);
  OpenPgpWorker gpg(OpenPgpWorkerSettings{state_dir / "gnupg", {}, team.value()});
  const std::string prefix = load_policy(*config).policy.ticket_prefix;

  auto tx = Transaction::begin(*db);
  if (!tx) return complain(kEnvironment, tx.error().message);
  CorrespondenceContext ctx{*db, *config, prefix, state_dir, gpg};
  auto outcome = send_correspondence(ctx, request);
  if (!outcome) return complain(kEnvironment, "nothing sent: " + outcome.error().message);
  // A refusal is committed too: it is audited.
  if (auto st = tx->commit(); !st) return complain(kEnvironment, "nothing sent: " + st.error().message);
  if (!outcome->sent) return complain(kRefused, "refused (" + outcome->rule + "): " + outcome->refusal);
  std::printf("queued %s to %s, %s (%s)\n", outcome->message_id.c_str(), sanitize_untrusted(outcome->recipient).c_str(),
              outcome->encrypted ? ("encrypted to " + outcome->recipient_fingerprint).c_str() : "signed only",
              outcome->rule.c_str());
  return 0;
}

}  // namespace

int run_ticket_reply(const TriageOptions& options, const std::string& id, const std::string& file, bool keep_quotes) {
  CorrespondenceRequest request;
  request.kind = CorrespondenceKind::reply;
  request.keep_quotes = keep_quotes;
  return send(options, std::move(request), id, file);
}

int run_ticket_forward(const TriageOptions& options, const std::string& id, const std::string& address,
                       const std::string& file) {
  CorrespondenceRequest request;
  request.kind = CorrespondenceKind::forward;
  request.recipient = address;
  return send(options, std::move(request), id, file);
}

}  // namespace csirtgw
