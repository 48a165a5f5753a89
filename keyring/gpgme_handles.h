// Move-only owners of GPGME's C handles (gpgme_ctx_t, gpgme_data_t, gpgme_key_t),
// and the context factory that pins every context to the daemon's own GNUPGHOME.
#pragma once

#include <gpgme.h>

#include <filesystem>
#include <memory>
#include <string>

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

// An OpenPGP context on `gnupg_home`, armor off, no key auto-retrieval.
Result<GpgmeContext> make_gpgme_context(const std::filesystem::path& gnupg_home);

Error gpgme_failure(std::string_view what, gpgme_error_t err);

}  // namespace csirtgw
