// The daemon's GnuPG home and the team key (gnupg_home.h).
#include "gnupg_home.h"

#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "durable_file.h"
#include "gpgme_handles.h"
#include "key_registry.h"

namespace csirtgw {
namespace {

bool version_at_least(const char* version, int major, int minor, int micro) {
  int a = 0, b = 0, c = 0;
  if (!version || std::sscanf(version, "%d.%d.%d", &a, &b, &c) < 2) return false;
  if (a != major) return a > major;
  if (b != minor) return b > minor;
  return c >= micro;
}

// Calls `each` for every key gpg lists (secret keys only with `secret_only`).
template <typename Each>
Status for_each_listed_key(gpgme_ctx_t ctx, bool secret_only, Each each) {
  if (auto err = gpgme_op_keylist_start(ctx, nullptr, secret_only ? 1 : 0)) return gpgme_failure("keylist", err);
  while (true) {
    gpgme_key_t raw = nullptr;
    auto err = gpgme_op_keylist_next(ctx, &raw);
    if (gpgme_err_code(err) == GPG_ERR_EOF) return ok_status();
    if (err) return gpgme_failure("keylist", err);
    GpgmeKey key(raw);
    each(key.get());
  }
}

Result<std::vector<std::string>> secret_key_fingerprints(gpgme_ctx_t ctx) {
  std::vector<std::string> out;
  auto listed = for_each_listed_key(ctx, /*secret_only=*/true, [&](gpgme_key_t key) {
    if (key->fpr) out.emplace_back(key->fpr);
  });
  if (!listed) return listed.error();
  return out;
}

// Keys whose primary secret key is in this home, told from the key files
// (private-keys-v1.d/<keygrip>.key) next to a public listing: asking gpg for
// secret keys starts a gpg-agent, and a verifier (often root) must not leave
// one behind in the daemon's home.
Result<std::vector<std::string>> keys_with_secret_files(gpgme_ctx_t ctx, const std::filesystem::path& home) {
  std::vector<std::string> out;
  gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL | GPGME_KEYLIST_MODE_WITH_KEYGRIP);
  auto listed = for_each_listed_key(ctx, /*secret_only=*/false, [&](gpgme_key_t key) {
    if (!key->fpr || !key->subkeys || !key->subkeys->keygrip) return;
    std::error_code ec;
    if (std::filesystem::exists(home / "private-keys-v1.d" / (std::string(key->subkeys->keygrip) + ".key"), ec))
      out.emplace_back(key->fpr);
  });
  if (!listed) return listed.error();
  return out;
}

}  // namespace

Status init_gpgme() {
  static const char* const version = gpgme_check_version(nullptr);
  if (!version) return Error::internal("GPGME failed to initialise");
  if (auto err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP))
    return gpgme_failure("no usable gpg engine", err);
  gpgme_engine_info_t info = nullptr;
  if (auto err = gpgme_get_engine_info(&info)) return gpgme_failure("gpgme_get_engine_info", err);
  for (; info; info = info->next) {
    if (info->protocol != GPGME_PROTOCOL_OpenPGP) continue;
    if (!version_at_least(info->version, 2, 2, 36))
      return Error::internal(std::string("gpg ") + (info->version ? info->version : "?") +
                             " is too old: 2.2.36 or later is required (CVE-2022-34903)");
    return ok_status();
  }
  return Error::internal("GPGME knows no OpenPGP engine");
}

void stop_gpg_agent(const std::filesystem::path& home) {
  const char* gpgconf = gpgme_get_dirinfo("gpgconf-name");
  if (!gpgconf) return;
  gpgme_ctx_t raw = nullptr;
  if (gpgme_new(&raw)) return;
  GpgmeContext ctx(raw);
  if (gpgme_set_protocol(raw, GPGME_PROTOCOL_SPAWN)) return;
  const std::string home_text = home.string();
  const char* argv[] = {"gpgconf", "--homedir", home_text.c_str(), "--kill", "gpg-agent", nullptr};
  (void)gpgme_op_spawn(raw, gpgconf, argv, nullptr, nullptr, nullptr, 0);
}

Status prepare_gnupg_home(const std::filesystem::path& home) {
  if (auto st = ensure_directory(home, 0700); !st) return st;
  // Written every start, so an edited file cannot turn the dangerous options on.
  std::ofstream conf(home / "gpg.conf", std::ios::trunc);
  conf << "# Written by csirtgw at every start; edits are overwritten.\n"
          "no-auto-key-retrieve\n"
          "no-auto-key-locate\n"
          "keyserver-options no-auto-key-retrieve\n"
          "no-greeting\n"
          "require-cross-certification\n"
          // Trust is decided by csirtgw's reporter registry, not by gpg's web of
          // trust: gpg need not build or check a trust database on every run.
          "trust-model always\n"
          "no-auto-check-trustdb\n";
  if (!conf) return Error::temporary("cannot write " + (home / "gpg.conf").string());
  return ok_status();
}

Result<std::string> find_team_key(const std::filesystem::path& home, const std::string& configured) {
  // A verifier needs only the public key: a configured one is taken as it is
  // (gpg then says whether the keyring has it).
  if (!configured.empty()) {
    std::string fingerprint = configured;
    for (char& c : fingerprint) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return fingerprint;
  }
  auto ctx = make_gpgme_context(home);
  if (!ctx) return ctx.error();
  auto secret = keys_with_secret_files(ctx->get(), home);
  if (!secret) return secret.error();
  if (secret->size() == 1) return secret->front();
  return Error::bad_input((secret->empty() ? "no secret key in " : "several secret keys in ") + home.string() +
                          "; set team.key to the team key's fingerprint");
}

Result<TeamKey> ensure_team_key(const std::filesystem::path& home, const std::string& configured,
                                const std::string& team_name, const std::string& team_address) {
  auto ctx = make_gpgme_context(home);
  if (!ctx) return ctx.error();
  auto secret = secret_key_fingerprints(ctx->get());
  if (!secret) return secret.error();
  if (!configured.empty()) {
    for (const auto& fpr : secret.value())
      if (strcasecmp(fpr.c_str(), configured.c_str()) == 0) return TeamKey{fpr, false};
    return Error::bad_input("team.key " + configured + " has no secret key in " + home.string() +
                            " (import it with `csirtgw keys import --secret FILE`)");
  }
  if (secret->size() == 1) return TeamKey{secret->front(), false};
  if (secret->size() > 1)
    return Error::bad_input("several secret keys in " + home.string() + "; set team.key to the team key's fingerprint");

  const std::string user_id = team_name + " <" + team_address + ">";
  const unsigned flags = GPGME_CREATE_SIGN | GPGME_CREATE_CERT | GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE;
  if (auto err = gpgme_op_createkey(ctx->get(), user_id.c_str(), "ed25519", 0, 0, nullptr, flags))
    return gpgme_failure("generating the team key", err);
  gpgme_genkey_result_t result = gpgme_op_genkey_result(ctx->get());
  if (!result || !result->fpr) return Error::internal("gpg generated a key but reported no fingerprint");
  const std::string fingerprint = result->fpr;
  gpgme_key_t raw = nullptr;
  if (auto err = gpgme_get_key(ctx->get(), fingerprint.c_str(), &raw, 1)) return gpgme_failure("reading the new key", err);
  GpgmeKey key(raw);
  if (auto err = gpgme_op_createsubkey(ctx->get(), key.get(), "cv25519", 0, 0,
                                       GPGME_CREATE_ENCR | GPGME_CREATE_NOPASSWD | GPGME_CREATE_NOEXPIRE))
    return gpgme_failure("adding the encryption subkey", err);
  return TeamKey{fingerprint, true};
}

Status copy_keys(const std::filesystem::path& from, const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const char* name : {"pubring.kbx", "trustdb.gpg"})
    if (fs::exists(from / name, ec)) fs::copy_file(from / name, to / name, fs::copy_options::overwrite_existing, ec);
  if (!ec && fs::exists(from / "private-keys-v1.d", ec))
    fs::copy(from / "private-keys-v1.d", to / "private-keys-v1.d",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
  if (ec) return errno_error("copy GnuPG home " + from.string() + " to " + to.string(), ec.value());
  return ok_status();
}

Result<ImportedKeys> import_keys(const std::filesystem::path& home, std::string_view bytes) {
  auto ctx = make_gpgme_context(home);
  if (!ctx) return ctx.error();
  auto data = gpgme_data_reading(bytes);
  if (!data) return data.error();
  if (auto err = gpgme_op_import(ctx->get(), data->get())) {
    if (is_environment_failure(err)) return gpgme_failure("import", err);
    return Error::bad_input(std::string("import failed: ") + gpgme_strerror(err));
  }
  ImportedKeys imported;
  gpgme_import_result_t result = gpgme_op_import_result(ctx->get());
  for (gpgme_import_status_t s = result ? result->imports : nullptr; s; s = s->next) {
    if (s->result != 0 || !s->fpr) continue;
    const std::string fpr = normalise_fingerprint(s->fpr);
    imported.fingerprints.insert(fpr);
    if (s->status & GPGME_IMPORT_SECRET) imported.with_secret.insert(fpr);
  }
  return imported;
}

ScratchGnupgHome::ScratchGnupgHome(std::filesystem::path root) : root_(std::move(root)), home_(root_ / "gnupg") {}

Result<ScratchGnupgHome> ScratchGnupgHome::create() {
  std::error_code ec;
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "csirtgw-gnupg-XXXXXX").string();
  if (ec || ::mkdtemp(pattern.data()) == nullptr) return errno_error("a scratch GnuPG home in the temporary directory", errno);
  ScratchGnupgHome scratch{std::filesystem::path(pattern)};
  if (auto st = prepare_gnupg_home(scratch.home_); !st) return st.error();
  return scratch;
}

ScratchGnupgHome::ScratchGnupgHome(ScratchGnupgHome&& other) noexcept
    : root_(std::move(other.root_)), home_(std::move(other.home_)) {
  other.root_.clear();
}

ScratchGnupgHome::~ScratchGnupgHome() {
  if (root_.empty()) return;
  stop_gpg_agent(home_);
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

}  // namespace csirtgw
