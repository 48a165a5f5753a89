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

#include "audit_log.h"
#include "commands.h"
#include "config_resolution.h"
#include "correspondence.h"
#include "durable_file.h"
#include "operator_identity.h"
#include "gnupg_home.h"
#include "policy.h"
#include "store.h"
#include "ticket_store.h"
#include "triage_session.h"
#include "utc_text.h"
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
  auto number = parse_ticket_id(id);
  if (!number) return complain(kUsage, "not a ticket id: " + id);
  auto text = read_text(file, config->message_size);
  if (!text) return complain(kUsage, text.error().message);
  request.ticket = *number;
  request.text = std::move(*text);
  request.staff = operator_identity().value();  // without --as: always the OS user

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
  // A reply to the reporter answers the ticket (tickets.due_hours, stats).
  if (outcome->sent && request.kind == CorrespondenceKind::reply)
    if (auto st = note_first_response(*db, request.ticket, utc_timestamp_now()); !st)
      return complain(kEnvironment, "nothing sent: " + st.error().message);
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
