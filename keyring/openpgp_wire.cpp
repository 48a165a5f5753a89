// The daemon <-> OpenPGP worker wire format (openpgp_wire.h).
#include "openpgp_wire.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace csirtgw {
namespace {

// Outputs are capped by openpgp.max_output and inputs by the message size
// limit, both far below this: a larger length is a broken peer.
constexpr std::uint64_t kMaxFrame = std::uint64_t{1} << 31;

class WireWriter {
 public:
  WireWriter& u8(std::uint8_t v) {
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  WireWriter& u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  WireWriter& text(std::string_view v) {
    u64(v.size());
    out_.append(v);
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads fields in order; any short or malformed field makes ok() false and
// every later read return a zero value.
class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}
  std::uint8_t u8() {
    if (!ok_ || in_.empty()) return fail<std::uint8_t>();
    const auto v = static_cast<std::uint8_t>(in_.front());
    in_.remove_prefix(1);
    return v;
  }
  std::uint64_t u64() {
    if (!ok_ || in_.size() < 8) return fail<std::uint64_t>();
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(8);
    return v;
  }
  std::string_view text() {
    const std::uint64_t size = u64();
    if (!ok_ || in_.size() < size) return fail<std::string_view>();
    const std::string_view v = in_.substr(0, size);
    in_.remove_prefix(size);
    return v;
  }
  bool ok() const { return ok_; }
  void refuse() { ok_ = false; }  // a field read well but holds no valid value
  bool finished() const { return ok_ && in_.empty(); }

 private:
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }
  std::string_view in_;
  bool ok_ = true;
};

Error broken(std::string_view what) { return Error::internal("OpenPGP worker protocol: malformed " + std::string(what)); }

enum class ReplyKind : std::uint8_t { error = 0, value = 1 };

WireWriter value_reply() {
  WireWriter w;
  w.u8(static_cast<std::uint8_t>(ReplyKind::value));
  return w;
}

void put_signatures(WireWriter& w, const std::vector<SignatureCheck>& signatures) {
  w.u64(signatures.size());
  for (const auto& s : signatures)
    w.u8(static_cast<std::uint8_t>(s.status)).text(s.fingerprint).u64(static_cast<std::uint64_t>(s.created));
}

std::vector<SignatureCheck> get_signatures(WireReader& r) {
  std::vector<SignatureCheck> out;
  const std::uint64_t count = r.u64();
  for (std::uint64_t i = 0; r.ok() && i < count; ++i) {
    const std::uint8_t status = r.u8();
    if (status > static_cast<std::uint8_t>(SignatureStatus::revoked)) {
      r.refuse();
      return {};
    }
    std::string fingerprint(r.text());
    const auto created = static_cast<std::int64_t>(r.u64());
    out.push_back({static_cast<SignatureStatus>(status), std::move(fingerprint), created});
  }
  return out;
}

// Reads the reply's kind; an error reply becomes the Error it carries.
std::optional<Error> reply_error(WireReader& r) {
  const std::uint8_t kind = r.u8();
  if (kind == static_cast<std::uint8_t>(ReplyKind::value)) return std::nullopt;
  if (kind != static_cast<std::uint8_t>(ReplyKind::error)) return broken("reply");
  const std::uint8_t error_class = r.u8();
  const std::string message(r.text());
  if (!r.finished() || error_class > static_cast<std::uint8_t>(ErrorClass::internal)) return broken("error reply");
  return Error{static_cast<ErrorClass>(error_class), message};
}

template <typename T, typename Read>
Result<T> decode_reply(std::string_view frame, std::string_view what, Read read) {
  WireReader r(frame);
  if (auto error = reply_error(r)) return *error;
  T value = read(r);
  if (!r.finished()) return broken(what);
  return value;
}

}  // namespace

std::vector<std::string> worker_arguments(const OpenPgpWorkerSettings& settings) {
  return {"--home", settings.gnupg_home.string(), "--max-output", std::to_string(settings.limits.max_output),
          "--deadline-ms", std::to_string(settings.limits.deadline.count()), "--signer", settings.signer_fingerprint};
}

Result<OpenPgpWorkerSettings> parse_worker_arguments(int argc, const char* const* argv) {
  OpenPgpWorkerSettings settings;
  bool home = false, output = false, deadline = false, signer = false;
  auto number = [](std::string_view text, unsigned long long& out) {
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
    out = std::stoull(std::string(text));
    return true;
  };
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i], value = argv[i + 1];
    unsigned long long n = 0;
    if (name == "--home") {
      settings.gnupg_home = value;
      home = !value.empty();
    } else if (name == "--max-output" && number(value, n)) {
      settings.limits.max_output = n;
      output = true;
    } else if (name == "--deadline-ms" && number(value, n)) {
      settings.limits.deadline = std::chrono::milliseconds(n);
      deadline = true;
    } else if (name == "--signer") {
      settings.signer_fingerprint = value;
      signer = true;
    } else {
      return Error::bad_input("unknown or malformed argument " + std::string(name));
    }
  }
  if (argc % 2 != 1 || !home || !output || !deadline || !signer)
    return Error::bad_input("usage: csirtgw-openpgp-worker --home DIR --max-output N --deadline-ms N --signer FPR|\"\"");
  return settings;
}

std::string encode_request(const OpenPgpRequest& request) {
  WireWriter w;
  w.u8(static_cast<std::uint8_t>(request.op)).text(request.first).text(request.second);
  return w.take();
}

Result<OpenPgpRequest> decode_request(std::string_view frame) {
  WireReader r(frame);
  OpenPgpRequest request;
  const std::uint8_t op = r.u8();
  request.first = r.text();
  request.second = r.text();
  if (!r.finished() || op < static_cast<std::uint8_t>(OpenPgpOp::decrypt_and_verify) ||
      op > static_cast<std::uint8_t>(OpenPgpOp::sign_and_encrypt))
    return broken("request");
  request.op = static_cast<OpenPgpOp>(op);
  return request;
}

std::string encode_error(const Error& error) {
  WireWriter w;
  w.u8(static_cast<std::uint8_t>(ReplyKind::error)).u8(static_cast<std::uint8_t>(error.kind)).text(error.message);
  return w.take();
}

std::string encode_reply(const DecryptOutcome& outcome) {
  WireWriter w = value_reply();
  w.u8(outcome.decrypted).u8(outcome.signed_only).text(outcome.plaintext).text(outcome.failure);
  put_signatures(w, outcome.signatures);
  w.text(outcome.literal_file_name);
  return w.take();
}

std::string encode_reply(const VerifyOutcome& outcome) {
  WireWriter w = value_reply();
  w.u8(outcome.readable).text(outcome.failure);
  put_signatures(w, outcome.signatures);
  w.text(outcome.signed_text);
  return w.take();
}

std::string encode_reply(const DetachedSignature& signature) {
  return value_reply().text(signature.armored).text(signature.micalg).take();
}

std::string encode_reply(const std::optional<std::string>& problem) {
  return value_reply().u8(problem.has_value()).text(problem.value_or("")).take();
}

std::string encode_reply(const std::string& armored) { return value_reply().text(armored).take(); }

Result<DecryptOutcome> decode_decrypt_reply(std::string_view frame) {
  return decode_reply<DecryptOutcome>(frame, "decrypt reply", [](WireReader& r) {
    DecryptOutcome out;
    out.decrypted = r.u8() != 0;
    out.signed_only = r.u8() != 0;
    out.plaintext = r.text();
    out.failure = r.text();
    out.signatures = get_signatures(r);
    out.literal_file_name = r.text();
    return out;
  });
}

Result<VerifyOutcome> decode_verify_reply(std::string_view frame) {
  return decode_reply<VerifyOutcome>(frame, "verify reply", [](WireReader& r) {
    VerifyOutcome out;
    out.readable = r.u8() != 0;
    out.failure = r.text();
    out.signatures = get_signatures(r);
    out.signed_text = r.text();
    return out;
  });
}

Result<DetachedSignature> decode_signature_reply(std::string_view frame) {
  return decode_reply<DetachedSignature>(frame, "signature reply", [](WireReader& r) {
    DetachedSignature out;
    out.armored = r.text();
    out.micalg = r.text();
    return out;
  });
}

Result<std::optional<std::string>> decode_key_problem_reply(std::string_view frame) {
  return decode_reply<std::optional<std::string>>(frame, "key reply", [](WireReader& r) {
    const bool has_problem = r.u8() != 0;
    std::string problem(r.text());
    return has_problem ? std::optional<std::string>(std::move(problem)) : std::nullopt;
  });
}

Result<std::string> decode_text_reply(std::string_view frame) {
  return decode_reply<std::string>(frame, "text reply", [](WireReader& r) { return std::string(r.text()); });
}

Status send_frame(int fd, std::string_view payload) {
  std::string header;
  for (int i = 0; i < 8; ++i) header.push_back(static_cast<char>((std::uint64_t{payload.size()} >> (8 * i)) & 0xff));
  for (std::string_view part : {std::string_view(header), payload}) {
    while (!part.empty()) {
      // MSG_NOSIGNAL: a worker that died is an error here, not a SIGPIPE.
      const ssize_t n = ::send(fd, part.data(), part.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Error::temporary(std::string("OpenPGP worker: send: ") + std::strerror(errno));
      part.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  return ok_status();
}

Result<std::string> receive_frame(int fd, std::optional<std::chrono::milliseconds> timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout.value_or(std::chrono::milliseconds(0));
  auto read_exactly = [&](char* into, std::size_t size) -> Status {
    while (size > 0) {
      if (timeout) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) return Error::temporary("OpenPGP worker: no answer within " + std::to_string(timeout->count()) + " ms");
        if (ready < 0) return Error::temporary(std::string("OpenPGP worker: poll: ") + std::strerror(errno));
      }
      const ssize_t n = ::read(fd, into, size);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) return Error::temporary("OpenPGP worker: connection closed (the worker ended)");
      if (n < 0) return Error::temporary(std::string("OpenPGP worker: read: ") + std::strerror(errno));
      into += n;
      size -= static_cast<std::size_t>(n);
    }
    return ok_status();
  };
  unsigned char header[8];
  if (auto st = read_exactly(reinterpret_cast<char*>(header), sizeof header); !st) return st.error();
  std::uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size |= std::uint64_t{header[i]} << (8 * i);
  if (size > kMaxFrame) return broken("frame length");
  std::string payload(size, '\0');
  if (auto st = read_exactly(payload.data(), payload.size()); !st) return st.error();
  return payload;
}

}  // namespace csirtgw
