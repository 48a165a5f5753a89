// One arbitrary message through the daemon's whole chain, the OpenPGP stage
// included (filters/openpgp_stage.h, single-home constructor, its GPGME work
// in a real csirtgw-openpgp-worker process found beside this binary, as in
// the unit tests and the build tree), then the content stages, the filed head
// and the filed bytes — with the invariants of filed_invariants.h.
//
// The keys are fixed (tests/fuzz/openpgp-keys/): the team's secret key and
// the reporter's public key, bound to reporter@example.org in the registry,
// so the seeds made with them (make_openpgp_seeds.py) really decrypt and
// verify, and mutations reach the decrypted text. The GnuPG home and the
// state directory are made once per process in a temp dir
// (LLVMFuzzerInitialize) and removed, with the gpg-agent, at exit.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

#include "config.h"
#include "content_stages.h"
#include "filed_copy.h"
#include "filed_invariants.h"
#include "fuzz_common.h"
#include "gnupg_home.h"
#include "key_registry.h"
#include "openpgp_stage.h"
#include "pipeline_rules.h"
#include "store.h"
#include "ticket_store.h"

namespace {

using namespace csirtgw;

// The reporter key's primary fingerprint (tests/fuzz/openpgp-keys/reporter-public.asc).
constexpr const char* kReporterFpr = "F7509209D1007ECA7E9F4D293CF125E896CFE387";

std::filesystem::path g_root;

void remove_world() {
  if (g_root.empty()) return;
  const std::string kill = "gpgconf --homedir '" + (g_root / "state" / "gnupg").string() + "' --kill all >/dev/null 2>&1";
  [[maybe_unused]] int rc = std::system(kill.c_str());
  std::error_code ec;
  std::filesystem::remove_all(g_root, ec);
}

const PipelineRules& rules() {
  static const std::shared_ptr<const PipelineRules> loaded = [] {
    Config config = default_config();
    config.openpgp_timeout = 5;  // below libFuzzer's -timeout=10: a slow gpg is a finding, not a hang
    auto l = load_pipeline_rules(config);
    FUZZ_CHECK(l.rules != nullptr, "the embedded configuration, policy or form does not load");
    return l.rules;
  }();
  return *loaded;
}

void make_world() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cgw-fuzz-pgp-XXXXXX").string();
  FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
  g_root = pattern;
  std::atexit(remove_world);
  const auto state = g_root / "state";
  const auto home = state / "gnupg";
  std::filesystem::create_directories(state);
  FUZZ_CHECK(init_gpgme().ok(), "init_gpgme");
  FUZZ_CHECK(prepare_gnupg_home(home).ok(), "prepare_gnupg_home");
  const std::string keys = CSIRTGW_FUZZ_KEYS_DIR;
  const std::string import = "gpg --homedir '" + home.string() +
                             "' --batch --quiet --no-tty --import '" + keys + "/team-secret.asc' '" + keys +
                             "/reporter-public.asc' >/dev/null 2>&1";
  FUZZ_CHECK(std::system(import.c_str()) == 0, "importing the fixed test keys");
  auto db = open_store(state);
  FUZZ_CHECK(db.ok(), "open_store");
  FUZZ_CHECK(register_key(db.value(), {kReporterFpr, "reporter@example.org", "Example Org",
                                       "2026-01-01T00:00:00Z", "fuzz"}).ok(),
             "register_key");
}

FilterChain& chain() {
  static FilterChain c = [] {
    const PipelineRules& r = rules();
    FilterChain built;
    built.push_back(std::make_unique<OpenPgpStage>(r.config, g_root / "state"));
    append_content_stages(built, r.policy, r.form, r.config);
    return built;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  make_world();
  (void)chain();  // the worker starts now, not inside the first input's time
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const PipelineRules& r = rules();
  Report report;
  report.spool_id = "20261204T190000-000002";
  report.received_at = "2026-12-04T19:00:00Z";
  report.protocol = "lmtp";
  report.peer = "192.0.2.25";
  report.helo = "mta.example.org";
  report.sender = "reporter@example.org";
  report.recipients = {{"cert@csirt.example", "cert"}};
  report.raw_message = fuzz::as_spooled(fuzz::as_text(data, size));
  fuzz::run_chain(chain(), report);
  report.ticket = format_ticket(r.policy.ticket_prefix, 1);
  fuzz::check_audit_notes(report);
  fuzz::check_queue(report, r.policy);
  if (report.crypto.encryption == EncryptionState::failed)
    FUZZ_CHECK(report.queue == "quarantine" && !report.crypto.reason.empty(), "failed decryption not quarantined");
  // CSIRTGW_FUZZ_VERBOSE=1 with seed files as arguments shows what the stage
  // made of each: the fixed keys must make the seeds decrypt and verify.
  static const bool verbose = std::getenv("CSIRTGW_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "openpgp_chain: encryption %d signature %s verified %d queue %s reason %s\n",
                 static_cast<int>(report.crypto.encryption), report.crypto.signature.c_str(),
                 report.crypto.sender_verified ? 1 : 0, report.queue.c_str(), report.crypto.reason.c_str());
  const std::string head = filed_head(report, r.config.hostname, std::time_t{1796410800});
  fuzz::check_filed(report, head, true);
  return 0;
}
