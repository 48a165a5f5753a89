// `csirtgw keys ...`: the operator's key management. Importing binds keys to
// reporters' addresses in the registry; nothing else ever does. Every change is
// an audit event carrying the operator's name.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "audit_log.h"
#include "json_text.h"
#include "untrusted_text.h"
#include "commands.h"
#include "config_resolution.h"
#include "durable_file.h"
#include "envelope_address.h"
#include "gnupg_home.h"
#include "gpgme_handles.h"
#include "key_registry.h"
#include "operator_identity.h"
#include "store.h"
#include "team_key_check.h"

namespace csirtgw {
namespace {

// Without --as, operator_identity always has an answer.
std::string operator_name() { return operator_identity().value(); }

int complain(const std::string& message) {
  std::fprintf(stderr, "csirtgw: %s\n", sanitize_untrusted(message).c_str());
  return 1;
}

struct KeyContext {
  Config config;
  std::filesystem::path state_dir;
  std::filesystem::path home;
};

std::optional<KeyContext> key_context(const KeysOptions& options) {
  auto config = resolve_config(options.config_file);
  if (!config) return std::nullopt;
  KeyContext kc{*config, std::filesystem::absolute(options.state_dir ? *options.state_dir : config->state_dir), {}};
  kc.home = kc.state_dir / "gnupg";
  if (auto st = init_gpgme(); !st) {
    complain(st.error().message);
    return std::nullopt;
  }
  if (auto st = prepare_gnupg_home(kc.home); !st) {
    complain(st.error().message);
    return std::nullopt;
  }
  return kc;
}

std::vector<std::string> key_emails(gpgme_key_t key) {
  std::vector<std::string> emails;
  for (gpgme_user_id_t uid = key->uids; uid; uid = uid->next)
    if (!uid->revoked && !uid->invalid && uid->email && *uid->email && !envelope_address_problem(uid->email))
      emails.push_back(lowercase_address(uid->email));
  return emails;
}

Status audit_key_event(Database& db, const std::string& event, const nlohmann::json& detail) {
  auto tx = Transaction::begin(db);
  if (!tx) return tx.error();
  if (auto st = append_audit_event(db, {event, "", operator_name(), json_text(detail)}); !st) return st;
  return tx->commit();
}

}  // namespace

namespace {

// A secret key is tried in a scratch home first (team_key_check.h): one that
// cannot sign or decrypt without a pinentry -- passphrase, expired, revoked,
// no signing or no encryption (sub)key -- is refused before it reaches the
// daemon's home.
int import_secret(const KeyContext& kc, const std::string& file, const std::string& bytes) {
  auto scratch = ScratchGnupgHome::create();
  if (!scratch) return complain(scratch.error().message);
  auto trial = import_keys(scratch->home(), bytes);
  if (!trial) return complain(trial.error().message);
  if (trial->with_secret.empty()) return complain("no secret OpenPGP key found in " + file);
  for (const auto& fpr : trial->with_secret)
    if (auto st = check_team_key(scratch->home(), fpr, kc.home); !st)
      return complain(st.error().message + "; nothing imported");
  auto imported = import_keys(kc.home, bytes);
  if (!imported) return complain(imported.error().message);
  auto db = open_store(kc.state_dir);
  if (!db) return complain(db.error().message);
  // The keys tried above (the daemon's home may have held them already).
  for (const auto& fpr : trial->with_secret) {
    std::printf("imported secret key %s: signs and decrypts without a passphrase (set team.key = \"%s\" if it is "
                "the team key)\n",
                fpr.c_str(), fpr.c_str());
    if (auto st = audit_key_event(*db, "key-imported", {{"fingerprint", fpr}, {"secret", true}}); !st)
      return complain(st.error().message);
  }
  return 0;
}

}  // namespace

int run_keys_import(const KeysOptions& options, const std::string& file, bool secret,
                    const std::optional<std::string>& email, const std::string& organisation) {
  auto kc = key_context(options);
  if (!kc) return 2;
  if (email && envelope_address_problem(*email)) return complain("--email " + *email + " is not a plain address");
  auto contents = read_whole_file(file);
  if (!contents) return complain("cannot read " + file);
  const std::string& bytes = contents.value();
  if (secret) return import_secret(*kc, file, bytes);

  auto imported = import_keys(kc->home, bytes);
  if (!imported) return complain(imported.error().message);
  if (imported->fingerprints.empty()) return complain("no OpenPGP key found in " + file);
  auto ctx = make_gpgme_context(kc->home);
  if (!ctx) return complain(ctx.error().message);

  auto db = open_store(kc->state_dir);
  if (!db) return complain(db.error().message);
  for (const auto& fpr : imported->fingerprints) {
    gpgme_key_t key_raw = nullptr;
    if (gpgme_get_key(ctx->get(), fpr.c_str(), &key_raw, 0) || !key_raw) return complain("cannot read back key " + fpr);
    GpgmeKey key(key_raw);
    std::vector<std::string> emails = email ? std::vector<std::string>{lowercase_address(*email)} : key_emails(key.get());
    if (emails.empty()) {
      std::printf("imported %s: no usable e-mail address in its user ids; bind one with --email\n", fpr.c_str());
      continue;
    }
    for (const auto& address : emails) {
      RegisteredKey entry{fpr, address, organisation, utc_timestamp_now(), operator_name()};
      auto tx = Transaction::begin(*db);
      if (!tx) return complain(tx.error().message);
      if (auto st = register_key(*db, entry); !st) return complain(st.error().message);
      nlohmann::json detail = {{"fingerprint", fpr}, {"email", address}, {"organisation", organisation}};
      if (auto st = append_audit_event(*db, {"key-registered", "", entry.added_by, json_text(detail)}); !st)
        return complain(st.error().message);
      if (auto st = tx->commit(); !st) return complain(st.error().message);
      std::printf("registered %s for %s%s\n", fpr.c_str(), address.c_str(),
                  organisation.empty() ? "" : (" (" + organisation + ")").c_str());
    }
  }
  return 0;
}

int run_keys_list(const KeysOptions& options, bool json) {
  auto config = resolve_config(options.config_file);
  if (!config) return 2;
  auto db = open_store(std::filesystem::absolute(options.state_dir ? *options.state_dir : config->state_dir));
  if (!db) return complain(db.error().message);
  auto keys = list_registered_keys(*db);
  if (!keys) return complain(keys.error().message);
  if (json) {
    auto list = nlohmann::json::array();
    for (const auto& k : keys.value())
      list.push_back({{"fingerprint", k.fingerprint}, {"email", k.email}, {"org", k.organisation},
                      {"added_at", k.added_at}, {"added_by", k.added_by}});
    std::printf("%s\n", json_text(list, 2).c_str());
    return 0;
  }
  for (const auto& k : keys.value())
    std::printf("%s  %-40s %s\n", sanitize_untrusted(k.fingerprint).c_str(), sanitize_untrusted(k.email).c_str(),
                sanitize_untrusted(k.organisation).c_str());
  return 0;
}

int run_keys_remove(const KeysOptions& options, const std::string& fingerprint_text) {
  auto kc = key_context(options);
  if (!kc) return 2;
  const std::string fpr = normalise_fingerprint(fingerprint_text);
  auto team = ensure_team_key(kc->home, kc->config.team_key, kc->config.team_name, "cert@" + kc->config.team_domain);
  if (team && normalise_fingerprint(team->fingerprint) == fpr) return complain("refusing to remove the team key");
  auto db = open_store(kc->state_dir);
  if (!db) return complain(db.error().message);
  auto tx = Transaction::begin(*db);
  if (!tx) return complain(tx.error().message);
  auto removed = unregister_key(*db, fpr);
  if (!removed) return complain(removed.error().message);
  if (auto st = append_audit_event(*db, {"key-removed", "", operator_name(),
                                         json_text({{"fingerprint", fpr}, {"bindings", removed.value()}})});
      !st)
    return complain(st.error().message);
  if (auto st = tx->commit(); !st) return complain(st.error().message);
  // The public key leaves the keyring too, so its signatures become unknown-key.
  auto ctx = make_gpgme_context(kc->home);
  gpgme_key_t raw = nullptr;
  if (ctx && gpgme_get_key(ctx->get(), fpr.c_str(), &raw, 0) == 0 && raw) {
    GpgmeKey key(raw);
    (void)gpgme_op_delete_ext(ctx->get(), key.get(), GPGME_DELETE_FORCE);
  }
  std::printf("removed %s (%d binding(s))\n", fpr.c_str(), removed.value());
  return removed.value() > 0 ? 0 : 1;
}

int run_keys_export_team(const KeysOptions& options) {
  auto kc = key_context(options);
  if (!kc) return 2;
  auto team = ensure_team_key(kc->home, kc->config.team_key, kc->config.team_name, "cert@" + kc->config.team_domain);
  if (!team) return complain(team.error().message);
  auto ctx = make_gpgme_context(kc->home);
  if (!ctx) return complain(ctx.error().message);
  gpgme_set_armor(ctx->get(), 1);
  auto out = gpgme_data_in_memory();
  if (!out) return complain(out.error().message);
  if (auto err = gpgme_op_export(ctx->get(), team->fingerprint.c_str(), 0, out->get()))
    return complain(std::string("export failed: ") + gpgme_strerror(err));
  const std::string armored = gpgme_data_text(out.value());
  std::fwrite(armored.data(), 1, armored.size(), stdout);
  return 0;
}

}  // namespace csirtgw
