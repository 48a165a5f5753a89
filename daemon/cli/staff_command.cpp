// `csirtgw staff ...`: the operator's staff key management. A staff key lets
// its holder command the gateway by signed mail to a staff address (reply,
// comment, forward, resolve); only this command adds one, every change is an
// audit event carrying the operator's name, and a key may not be both a
// reporter's and a staff member's (staff_registry.h).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "commands.h"
#include "config_resolution.h"
#include "durable_file.h"
#include "envelope_address.h"
#include "gnupg_home.h"
#include "gpgme_handles.h"
#include "json_text.h"
#include "key_registry.h"
#include "staff_registry.h"
#include "store.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

std::string operator_name() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) return sudo;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

int complain(const std::string& message) {
  std::fprintf(stderr, "csirtgw: %s\n", sanitize_untrusted(message).c_str());
  return 1;
}

std::filesystem::path state_dir_of(const KeysOptions& options, const Config& config) {
  return std::filesystem::absolute(options.state_dir ? *options.state_dir : config.state_dir);
}

// Why the key in `home` cannot be a staff key, or "" when it can: it must sign
// (staff commands are signed), be valid now, and carry the address in a user id.
std::string unusable_staff_key(const std::filesystem::path& home, const std::string& fpr, const std::string& email) {
  auto ctx = make_gpgme_context(home);
  if (!ctx) return ctx.error().message;
  gpgme_key_t raw = nullptr;
  if (gpgme_get_key(ctx->get(), fpr.c_str(), &raw, 0) || !raw) return "cannot read back key " + fpr;
  GpgmeKey key(raw);
  if (key.get()->revoked) return "key " + fpr + " is revoked";
  if (key.get()->expired) return "key " + fpr + " has expired";
  if (key.get()->disabled || key.get()->invalid) return "key " + fpr + " is disabled or invalid";
  if (!key.get()->can_sign) return "key " + fpr + " has no usable signing (sub)key";
  for (gpgme_user_id_t uid = key.get()->uids; uid; uid = uid->next)
    if (!uid->revoked && !uid->invalid && uid->email && lowercase_address(uid->email) == email) return {};
  return "key " + fpr + " has no valid user id with the address " + email;
}

Status record_staff_added(Database& db, const StaffMember& member) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto st = add_staff_member(db, member); !st) return st;
  nlohmann::json detail = {{"fingerprint", member.fingerprint}, {"email", member.email}, {"name", member.name}};
  if (auto st = append_audit_event(db, {"staff-added", "", member.added_by, json_text(detail)}); !st) return st;
  return tx->commit();
}

}  // namespace

int run_staff_add(const KeysOptions& options, const std::string& file, const std::string& email_text,
                  const std::string& name) {
  auto config = resolve_config(options.config_file);
  if (!config) return 2;
  if (auto problem = envelope_address_problem(email_text)) return complain("--email " + email_text + ": " + *problem);
  if (name.empty() || sanitize_untrusted(name, 200) != name) return complain("--name must be one line of text");
  const std::string email = lowercase_address(email_text);
  const std::filesystem::path state_dir = state_dir_of(options, *config);
  const std::filesystem::path home = state_dir / "gnupg";
  if (auto st = init_gpgme(); !st) return complain(st.error().message);
  if (auto st = prepare_gnupg_home(home); !st) return complain(st.error().message);
  auto contents = read_whole_file(file);
  if (!contents) return complain("cannot read " + file);
  // Tried in a scratch home first: a key that cannot be a staff key never
  // reaches the daemon's keyring.
  auto scratch = ScratchGnupgHome::create();
  if (!scratch) return complain(scratch.error().message);
  auto trial = import_keys(scratch->home(), contents.value());
  if (!trial) return complain(trial.error().message);
  if (trial->fingerprints.size() != 1)
    return complain(file + " holds " + std::to_string(trial->fingerprints.size()) +
                    " OpenPGP keys; a staff key file must hold exactly one");
  const std::string fpr = normalise_fingerprint(*trial->fingerprints.begin());
  if (auto why = unusable_staff_key(scratch->home(), fpr, email); !why.empty()) return complain(why + "; not added");
  auto db = open_store(state_dir);
  if (!db) return complain(db.error().message);
  StaffMember member{fpr, email, name, utc_timestamp_now(), operator_name(), "", ""};
  if (auto st = record_staff_added(*db, member); !st) return complain(st.error().message);
  if (auto imported = import_keys(home, contents.value()); !imported) return complain(imported.error().message);
  std::printf("added staff key %s for %s (%s)\n", fpr.c_str(), email.c_str(), sanitize_untrusted(name).c_str());
  return 0;
}

int run_staff_list(const KeysOptions& options, bool json) {
  auto config = resolve_config(options.config_file);
  if (!config) return 2;
  auto db = open_store(state_dir_of(options, *config));
  if (!db) return complain(db.error().message);
  auto members = list_staff(*db);
  if (!members) return complain(members.error().message);
  if (json) {
    auto list = nlohmann::json::array();
    for (const auto& m : members.value())
      list.push_back({{"fingerprint", m.fingerprint}, {"email", m.email}, {"name", m.name}, {"added_at", m.added_at},
                      {"added_by", m.added_by}, {"removed_at", m.removed_at}, {"removed_by", m.removed_by},
                      {"active", m.active()}});
    std::printf("%s\n", json_text(list, 2).c_str());
    return 0;
  }
  for (const auto& m : members.value())
    std::printf("%s  %-32s %-24s %s\n", m.fingerprint.c_str(), sanitize_untrusted(m.email).c_str(),
                sanitize_untrusted(m.name).c_str(),
                m.active() ? "active" : ("removed " + m.removed_at + " by " + sanitize_untrusted(m.removed_by)).c_str());
  return 0;
}

// The key stays in the daemon's keyring: its later mail then verifies and is
// refused as a removed staff key, which says more than "unknown key".
int run_staff_remove(const KeysOptions& options, const std::string& fingerprint_text) {
  auto config = resolve_config(options.config_file);
  if (!config) return 2;
  auto db = open_store(state_dir_of(options, *config));
  if (!db) return complain(db.error().message);
  const std::string fpr = normalise_fingerprint(fingerprint_text);
  auto tx = Transaction::begin(*db);
  if (!tx) return complain(tx.error().message);
  if (auto st = remove_staff_member(*db, fpr, operator_name(), utc_timestamp_now()); !st)
    return complain(st.error().message);
  if (auto st = append_audit_event(*db, {"staff-removed", "", operator_name(), json_text({{"fingerprint", fpr}})}); !st)
    return complain(st.error().message);
  if (auto st = tx->commit(); !st) return complain(st.error().message);
  std::printf("removed staff key %s\n", fpr.c_str());
  return 0;
}

}  // namespace csirtgw
