// RAII owners of GPGME handles and their errors (gpgme_handles.h).
#include "gpgme_handles.h"

namespace csirtgw {

bool is_environment_failure(gpgme_error_t err) {
  switch (gpgme_err_code(err)) {
    case GPG_ERR_NO_AGENT:
    case GPG_ERR_AGENT:
    case GPG_ERR_TIMEOUT:
    case GPG_ERR_ENOSPC:
    case GPG_ERR_ENOMEM:
    case GPG_ERR_EIO:
    case GPG_ERR_EOF:
    case GPG_ERR_EPIPE:
    case GPG_ERR_ECONNRESET:
    case GPG_ERR_ECONNREFUSED:
    case GPG_ERR_ASS_GENERAL:
    case GPG_ERR_ASS_CONNECT_FAILED:
    case GPG_ERR_ASS_INV_RESPONSE:
    case GPG_ERR_ASS_INCOMPLETE_LINE:
    case GPG_ERR_ASS_SERVER_START:
    case GPG_ERR_ASS_READ_ERROR:
    case GPG_ERR_ASS_WRITE_ERROR:
      return true;
    default:
      return false;
  }
}

Error gpgme_failure(std::string_view what, gpgme_error_t err) {
  std::string message = std::string(what) + ": " + gpgme_strerror(err);
  return is_environment_failure(err) ? Error::temporary(std::move(message)) : Error::internal(std::move(message));
}

Result<GpgmeData> gpgme_data_reading(std::string_view bytes) {
  gpgme_data_t raw = nullptr;
  if (auto err = gpgme_data_new_from_mem(&raw, bytes.data(), bytes.size(), 0)) return gpgme_failure("gpgme data", err);
  return GpgmeData(raw);
}

Result<GpgmeData> gpgme_data_in_memory() {
  gpgme_data_t raw = nullptr;
  if (auto err = gpgme_data_new(&raw)) return gpgme_failure("gpgme data", err);
  return GpgmeData(raw);
}

std::string gpgme_data_text(GpgmeData& data) {
  size_t length = 0;
  char* bytes = gpgme_data_release_and_get_mem(data.release(), &length);
  std::string out(bytes ? bytes : "", bytes ? length : 0);
  gpgme_free(bytes);
  return out;
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
