// The daemon <-> OpenPGP worker protocol (keyring/openpgp_worker.h): one
// request, one reply, each a length-prefixed frame on a socketpair. Both ends
// are the same release of csirtgw, so the encoding is plain: fixed-width
// little-endian integers and length-prefixed byte strings, in a fixed order per
// operation. A frame that does not decode is a broken worker, never input.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "openpgp_operations.h"
#include "openpgp_writer.h"
#include "result.h"

namespace csirtgw {

// What a worker works with, fixed when it starts: its GnuPG home, the limits
// of its decrypt/verify operations, and the key it signs with ("" for a worker
// that only decrypts and verifies). Passed as command-line arguments.
struct OpenPgpWorkerSettings {
  std::filesystem::path gnupg_home;
  OperationLimits limits;
  std::string signer_fingerprint;
};
std::vector<std::string> worker_arguments(const OpenPgpWorkerSettings& settings);
Result<OpenPgpWorkerSettings> parse_worker_arguments(int argc, const char* const* argv);

enum class OpenPgpOp : std::uint8_t {
  decrypt_and_verify = 1,
  verify_detached,
  verify_clearsigned,
  sign_detached,
  encryption_key_problem,
  sign_and_encrypt,
};

// `first` and `second` are the operation's arguments, in the order of the
// OpenPgpEngine / OpenPgpWriter method's parameters.
struct OpenPgpRequest {
  OpenPgpOp op = OpenPgpOp::decrypt_and_verify;
  std::string_view first;
  std::string_view second;
};
std::string encode_request(const OpenPgpRequest& request);
// The views point into `frame`.
Result<OpenPgpRequest> decode_request(std::string_view frame);

// A reply is an Error or the operation's value.
std::string encode_error(const Error& error);
std::string encode_reply(const DecryptOutcome& outcome);
std::string encode_reply(const VerifyOutcome& outcome);
std::string encode_reply(const DetachedSignature& signature);
std::string encode_reply(const std::optional<std::string>& problem);
std::string encode_reply(const std::string& armored);

Result<DecryptOutcome> decode_decrypt_reply(std::string_view frame);
Result<VerifyOutcome> decode_verify_reply(std::string_view frame);
Result<DetachedSignature> decode_signature_reply(std::string_view frame);
Result<std::optional<std::string>> decode_key_problem_reply(std::string_view frame);
Result<std::string> decode_text_reply(std::string_view frame);

// Frames: an 8-octet length, then the payload. EINTR is retried; a peer that
// is gone is Error::temporary (the caller starts a new worker).
Status send_frame(int fd, std::string_view payload);
// Waits at most `timeout` for the whole frame (nullopt: for ever).
Result<std::string> receive_frame(int fd, std::optional<std::chrono::milliseconds> timeout);

}  // namespace csirtgw
