// Move-only owners of GPGME's C handles (gpgme_ctx_t, gpgme_data_t, gpgme_key_t),
// and the context factory that pins every context to the daemon's own GNUPGHOME.
#pragma once

#include <gpgme.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "result.h"

namespace csirtgw {

struct GpgmeContextRelease {
  void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
struct GpgmeDataRelease {
  void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
struct GpgmeKeyRelease {
  void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};

using GpgmeContext = std::unique_ptr<std::remove_pointer_t<gpgme_ctx_t>, GpgmeContextRelease>;
using GpgmeData = std::unique_ptr<std::remove_pointer_t<gpgme_data_t>, GpgmeDataRelease>;
using GpgmeKey = std::unique_ptr<std::remove_pointer_t<gpgme_key_t>, GpgmeKeyRelease>;

// GPGME data reading `bytes` in place (no copy: they must outlive the data).
Result<GpgmeData> gpgme_data_reading(std::string_view bytes);
// Empty GPGME data in memory, for an operation's output.
Result<GpgmeData> gpgme_data_in_memory();
// What memory data holds; the data is released.
std::string gpgme_data_text(GpgmeData& data);

// An OpenPGP context on `gnupg_home`, armor off, no key auto-retrieval.
Result<GpgmeContext> make_gpgme_context(const std::filesystem::path& gnupg_home);

// The one place that decides whose fault a GPGME error is. An environment
// failure -- gpg-agent gone or restarted, IPC cut, disk full, out of memory --
// is temporary: the operation is retried later and no message is blamed. Any
// other error is the input's or the key's: final (a message is quarantined,
// a command refuses). gpg passes a lost agent on as the operation's error
// ("decryption failed: Connection reset by peer", "End of file", "Incomplete
// line passed to IPC" -- all seen with gpg 2.2.40 by killing the agent,
// tests/integration/test_faults.py): IPC and system errors that a message's
// content does not produce.
bool is_environment_failure(gpgme_error_t err);

// `what: <gpgme's text>`, temporary when is_environment_failure(err), else internal.
Error gpgme_failure(std::string_view what, gpgme_error_t err);

}  // namespace csirtgw
