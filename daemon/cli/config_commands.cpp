// `check-config` and `audit verify [--anchors FILE]`: read-only commands for operators.
#include <cstdio>
#include <filesystem>

#include "ack_template.h"
#include "audit_anchor_check.h"
#include "audit_log.h"
#include "commands.h"
#include "config.h"
#include "config_resolution.h"
#include "durable_file.h"
#include "embedded_schemas.h"
#include "gnupg_home.h"
#include "paths_after_drop.h"
#include "pipeline_rules.h"
#include "store.h"
#include "team_key_check.h"
#include "untrusted_text.h"

namespace csirtgw {

namespace {

// serve drops privileges to listen.user (when started as root) and then opens
// these by path: each one that user could not reach is an error here, as it
// would be at start-up.
bool user_can_reach_paths(const std::string& origin, const Config& config,
                          const std::optional<std::string>& config_file) {
  auto user = user_identity(config.user);
  if (!user) {
    std::fprintf(stderr, "%s: listen.user: %s\n", origin.c_str(), user.error().message.c_str());
    return false;
  }
  const auto problems =
      unreachable_paths(paths_needed_after_drop(config, config_file, config.state_dir, false), user.value());
  for (const auto& problem : problems)
    std::fprintf(stderr, "%s: listen.user %s: %s\n", origin.c_str(), config.user.c_str(), problem.c_str());
  return problems.empty();
}

// The team key of the configured state directory, tried on a scratch copy of
// its GnuPG home (team_key_check.h), as serve will try it at start-up. No
// home or no secret key yet, with team.key empty: serve generates one.
bool team_key_works(const std::string& origin, const Config& config) {
  const std::filesystem::path home = std::filesystem::absolute(config.state_dir) / "gnupg";
  std::error_code ec;
  const bool has_home = std::filesystem::exists(home, ec);
  if (!has_home && config.team_key.empty()) return true;
  if (auto st = init_gpgme(); !st) {
    std::fprintf(stderr, "%s: gpg: %s\n", origin.c_str(), sanitize_untrusted(st.error().message).c_str());
    return false;
  }
  auto team = has_home ? find_team_key(home, config.team_key)
                       : Result<std::string>(Error::bad_input("team.key " + config.team_key + ": no GnuPG home " +
                                                              home.string() + " yet"));
  if (!team) {
    if (config.team_key.empty() && team.error().message.rfind("no secret key", 0) == 0) return true;
    std::fprintf(stderr, "%s: team.key: %s\n", origin.c_str(), sanitize_untrusted(team.error().message).c_str());
    return false;
  }
  if (auto st = check_team_key_in_copy(home, team.value()); !st) {
    std::fprintf(stderr, "%s: team.key: %s\n", origin.c_str(), sanitize_untrusted(st.error().message).c_str());
    return false;
  }
  std::printf("team key %s signs and decrypts\n", team.value().c_str());
  return true;
}

}  // namespace

int run_check_config(const std::optional<std::string>& given, bool user_access) {
  const auto config_file = config_file_to_use(given);
  auto loaded = config_file ? load_config_file(*config_file) : LoadedConfig{default_config(), {}};
  if (!loaded.errors.empty()) {
    print_config_errors(*config_file, loaded.errors);
    return 1;
  }
  // The files the configuration names are part of it: checked as serve and a
  // reload load them.
  auto rules = load_pipeline_rules(loaded.config);
  for (const auto& error : rules.errors) std::fprintf(stderr, "%s\n", error.c_str());
  if (!rules.rules) return 1;
  const std::string origin = config_file.value_or("embedded defaults");
  if (user_access && !loaded.config.user.empty() && !user_can_reach_paths(origin, loaded.config, config_file))
    return 1;
  // Where it will be used (not the build's own check): the team key must work.
  if (user_access && !team_key_works(origin, loaded.config)) return 1;
  if (config_file)
    std::printf("config ok: %s\n", sanitize_untrusted(*config_file).c_str());
  else
    std::printf("config ok (embedded defaults)\n");
  return 0;
}

int run_print_ack_template() {
  const std::string_view text = default_ack_template_text();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

namespace {

// `audit verify --anchors FILE`: the signatures are checked with the team key
// of the state directory's GnuPG home (team.key, else its only secret key).
int verify_against_anchors(Database& db, const Config& config, const std::filesystem::path& dir,
                           const std::string& anchors_file) {
  auto text = read_whole_file(anchors_file);
  if (!text) {
    std::fprintf(stderr, "csirtgw: cannot read %s: %s\n", sanitize_untrusted(anchors_file).c_str(),
                 sanitize_untrusted(text.error().message).c_str());
    return 2;
  }
  const std::filesystem::path gnupg_home = dir / "gnupg";
  if (auto st = init_gpgme(); !st) {
    std::fprintf(stderr, "csirtgw: gpg: %s\n", sanitize_untrusted(st.error().message).c_str());
    return 2;
  }
  auto team = find_team_key(gnupg_home, config.team_key);
  if (!team) {
    std::fprintf(stderr, "csirtgw: the team key: %s\n", sanitize_untrusted(team.error().message).c_str());
    return 2;
  }
  auto verdict = verify_chain_against_anchors(db, text.value(), gnupg_home, team.value());
  if (!verdict) {
    std::fprintf(stderr, "csirtgw: cannot verify: %s\n", sanitize_untrusted(verdict.error().message).c_str());
    return 2;
  }
  if (!verdict->intact) {
    std::printf("broken: %s\n", verdict->broken.c_str());
    return 1;
  }
  std::printf("intact: %lld events, head %s, %zu anchors verified\n", static_cast<long long>(verdict->events),
              verdict->head_hash.c_str(), verdict->anchors);
  return 0;
}

}  // namespace

int run_audit_verify(const std::optional<std::string>& config_file, const std::optional<std::string>& state_dir,
                     const std::optional<std::string>& anchors_file) {
  auto config = resolve_config(config_file);
  if (!config) return 2;
  const std::filesystem::path dir = state_dir ? *state_dir : config->state_dir;
  auto db = open_store_read_only(dir);
  if (!db) {
    std::fprintf(stderr, "csirtgw: %s\n", db.error().message.c_str());
    return 2;
  }
  if (anchors_file) return verify_against_anchors(db.value(), *config, dir, *anchors_file);
  auto verdict = verify_audit_chain(db.value());
  if (!verdict) {
    std::fprintf(stderr, "csirtgw: cannot read the audit log: %s\n", verdict.error().message.c_str());
    return 2;
  }
  if (!verdict->intact) {
    std::printf("broken: event %lld: %s\n", static_cast<long long>(verdict->broken_at), verdict->reason.c_str());
    return 1;
  }
  std::printf("intact: %lld events, head %s\n", static_cast<long long>(verdict->events), verdict->head_hash.c_str());
  return 0;
}

}  // namespace csirtgw
