// RAII owners of GPGME handles and their errors (gpgme_handles.h).
#include "gpgme_handles.h"

namespace csirtgw {

Error gpgme_failure(std::string_view what, gpgme_error_t err) {
  std::string message = std::string(what) + ": " + gpgme_strerror(err);
  switch (gpgme_err_code(err)) {
    case GPG_ERR_NO_AGENT:
    case GPG_ERR_AGENT:
    case GPG_ERR_TIMEOUT:
    case GPG_ERR_ENOSPC:
    case GPG_ERR_EIO:
      return Error::temporary(std::move(message));
    default:
      return Error::internal(std::move(message));
  }
}

Result<GpgmeContext> make_gpgme_context(const std::filesystem::path& gnupg_home) {
  gpgme_ctx_t raw = nullptr;
  if (auto err = gpgme_new(&raw)) return gpgme_failure("gpgme_new", err);
  GpgmeContext ctx(raw);
  if (auto err = gpgme_set_protocol(raw, GPGME_PROTOCOL_OpenPGP)) return gpgme_failure("gpgme_set_protocol", err);
  if (auto err = gpgme_ctx_set_engine_info(raw, GPGME_PROTOCOL_OpenPGP, nullptr, gnupg_home.c_str()))
    return gpgme_failure("gpgme_ctx_set_engine_info", err);
  gpgme_set_armor(raw, 0);
  gpgme_set_offline(raw, 1);  // never fetch keys or CRLs from the network
  gpgme_set_pinentry_mode(raw, GPGME_PINENTRY_MODE_LOOPBACK);
  return ctx;
}

}  // namespace csirtgw
