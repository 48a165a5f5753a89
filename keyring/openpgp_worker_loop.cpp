// The OpenPGP worker process's request loop (openpgp_worker_loop.h).
#include "openpgp_worker_loop.h"

#include <cstdio>
#include <memory>

namespace csirtgw {
namespace {

template <typename T>
std::string reply(const Result<T>& result) {
  return result ? encode_reply(result.value()) : encode_error(result.error());
}

class RequestHandler {
 public:
  explicit RequestHandler(const OpenPgpWorkerSettings& settings) : settings_(settings) {}

  // Sets up the GPGME contexts (each runs `gpg --version`) and looks up the
  // signing key before the first request, not while a message waits for it.
  // A failure here is not final: the first request tries again and answers with it.
  void warm_up() {
    (void)engine();
    if (!settings_.signer_fingerprint.empty()) (void)writer();
  }

  std::string handle(const OpenPgpRequest& request) {
    switch (request.op) {
      case OpenPgpOp::decrypt_and_verify:
        return with(engine(), [&](OpenPgpEngine& e) { return reply(e.decrypt_and_verify(request.first)); });
      case OpenPgpOp::verify_detached:
        return with(engine(), [&](OpenPgpEngine& e) { return reply(e.verify_detached(request.first, request.second)); });
      case OpenPgpOp::verify_clearsigned:
        return with(engine(), [&](OpenPgpEngine& e) { return reply(e.verify_clearsigned(request.first)); });
      case OpenPgpOp::sign_detached:
        return with(writer(), [&](OpenPgpWriter& w) { return reply(w.sign_detached(request.first)); });
      case OpenPgpOp::encryption_key_problem:
        return with(writer(), [&](OpenPgpWriter& w) { return reply(w.encryption_key_problem(std::string(request.first))); });
      case OpenPgpOp::sign_and_encrypt:
        return with(writer(),
                    [&](OpenPgpWriter& w) { return reply(w.sign_and_encrypt(request.first, std::string(request.second))); });
    }
    return encode_error(Error::internal("OpenPGP worker: unknown operation"));
  }

 private:
  template <typename T, typename Run>
  static std::string with(const Result<T*>& made, Run run) {
    return made ? run(*made.value()) : encode_error(made.error());
  }
  // Created once; a failure to create is tried again on the next request
  // (gpg-agent back, key imported).
  Result<OpenPgpEngine*> engine() {
    if (!engine_) {
      auto made = OpenPgpEngine::create(settings_.gnupg_home, settings_.limits);
      if (!made) return made.error();
      engine_ = std::move(made.value());
    }
    return engine_.get();
  }
  Result<OpenPgpWriter*> writer() {
    if (settings_.signer_fingerprint.empty()) return Error::internal("OpenPGP worker: started without a signing key");
    if (!writer_) {
      auto made = OpenPgpWriter::create(settings_.gnupg_home, settings_.signer_fingerprint);
      if (!made) return made.error();
      writer_ = std::move(made.value());
    }
    return writer_.get();
  }

  const OpenPgpWorkerSettings& settings_;
  std::unique_ptr<OpenPgpEngine> engine_;
  std::unique_ptr<OpenPgpWriter> writer_;
};

}  // namespace

int serve_openpgp_requests(int fd, const OpenPgpWorkerSettings& settings) {
  RequestHandler handler(settings);
  handler.warm_up();
  while (true) {
    auto frame = receive_frame(fd, std::nullopt);
    if (!frame) return 0;  // the daemon closed its end (or is gone): nothing is in flight
    auto request = decode_request(frame.value());
    const std::string answer = request ? handler.handle(request.value()) : encode_error(request.error());
    if (auto sent = send_frame(fd, answer); !sent) {
      std::fprintf(stderr, "csirtgw-openpgp-worker: %s\n", sent.error().message.c_str());
      return 1;
    }
  }
}

}  // namespace csirtgw
