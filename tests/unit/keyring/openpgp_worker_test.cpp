// The OpenPGP worker process (keyring/openpgp_worker*.h, keyring/openpgp_wire.h):
// every reply survives the trip through the wire format unchanged (binary
// plaintext, untrusted file names, each signature status, errors with their
// class); malformed frames are refused, never half-read; and the daemon's side
// with a real csirtgw-openpgp-worker and real keys: the same answers as the
// in-process engine, the writer's operations, a worker killed between or
// during requests replaced without a failure, and workers killed again and
// again a temporary failure followed by a working new worker.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "openpgp_test_keys.h"
#include "openpgp_wire.h"
#include "openpgp_worker.h"
#include "unique_fd.h"

namespace csirtgw {
namespace {

using namespace std::string_literals;

const std::string kBinary = "line\r\n\x00\x01\xff[GNUPG:] GOODSIG x\n"s;

// This process's children that run csirtgw-openpgp-worker.
std::vector<pid_t> worker_children() {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos || line.find("(csirtgw-openpg") == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 1));
    std::string state;
    long parent = 0;
    fields >> state >> parent;
    if (parent == ::getpid() && state != "Z") out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

}  // namespace

TEST_CASE("OpenPGP wire: replies round-trip") {
  SUBCASE("decrypt outcome") {
    DecryptOutcome in;
    in.decrypted = true;
    in.plaintext = kBinary;
    in.literal_file_name = "\n[GNUPG:] GOODSIG 0123";
    for (auto status : {SignatureStatus::good, SignatureStatus::bad, SignatureStatus::unknown_key,
                        SignatureStatus::expired, SignatureStatus::revoked})
      in.signatures.push_back({status, "FPR" + std::to_string(static_cast<int>(status))});
    auto out = decode_decrypt_reply(encode_reply(in));
    REQUIRE(out.ok());
    CHECK(out->decrypted);
    CHECK(out->plaintext == kBinary);
    CHECK(out->failure.empty());
    CHECK(out->literal_file_name == in.literal_file_name);
    REQUIRE(out->signatures.size() == 5);
    for (std::size_t i = 0; i < 5; ++i) {
      CHECK(out->signatures[i].status == in.signatures[i].status);
      CHECK(out->signatures[i].fingerprint == in.signatures[i].fingerprint);
    }
  }
  SUBCASE("failed decryption") {
    DecryptOutcome in;
    in.failure = "integrity check failed or data corrupt";
    auto out = decode_decrypt_reply(encode_reply(in));
    REQUIRE(out.ok());
    CHECK_FALSE(out->decrypted);
    CHECK(out->failure == in.failure);
    CHECK(out->plaintext.empty());
  }
  SUBCASE("verify outcome") {
    VerifyOutcome in;
    in.readable = true;
    in.signed_text = kBinary;
    in.signatures.push_back({SignatureStatus::good, "ABCDEF"});
    auto out = decode_verify_reply(encode_reply(in));
    REQUIRE(out.ok());
    CHECK(out->readable);
    CHECK(out->signed_text == kBinary);
    REQUIRE(out->signatures.size() == 1);
    CHECK(out->signatures[0].fingerprint == "ABCDEF");
  }
  SUBCASE("signature, key problem, text") {
    auto sig = decode_signature_reply(encode_reply(DetachedSignature{"-----BEGIN PGP SIGNATURE-----", "pgp-sha512"}));
    REQUIRE(sig.ok());
    CHECK(sig->armored == "-----BEGIN PGP SIGNATURE-----");
    CHECK(sig->micalg == "pgp-sha512");
    auto none = decode_key_problem_reply(encode_reply(std::optional<std::string>()));
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    auto revoked = decode_key_problem_reply(encode_reply(std::optional<std::string>("revoked")));
    REQUIRE(revoked.ok());
    CHECK(revoked->value_or("") == "revoked");
    auto text = decode_text_reply(encode_reply(std::string(kBinary)));
    REQUIRE(text.ok());
    CHECK(text.value() == kBinary);
  }
  SUBCASE("an error keeps its class and message") {
    for (auto kind : {ErrorClass::bad_input, ErrorClass::temporary, ErrorClass::internal}) {
      auto out = decode_decrypt_reply(encode_error(Error{kind, "gpg: agent gone"}));
      REQUIRE_FALSE(out.ok());
      CHECK(out.error().kind == kind);
      CHECK(out.error().message == "gpg: agent gone");
    }
  }
  SUBCASE("requests") {
    const std::string frame = encode_request({OpenPgpOp::verify_detached, kBinary, "sig"});
    auto out = decode_request(frame);  // views into `frame`
    REQUIRE(out.ok());
    CHECK(out->op == OpenPgpOp::verify_detached);
    CHECK(out->first == kBinary);
    CHECK(out->second == "sig");
  }
}

TEST_CASE("OpenPGP wire: malformed frames are refused") {
  DecryptOutcome in;
  in.decrypted = true;
  in.plaintext = "secret";
  const std::string good = encode_reply(in);
  for (std::size_t cut = 0; cut < good.size(); ++cut) CHECK_FALSE(decode_decrypt_reply(good.substr(0, cut)).ok());
  CHECK_FALSE(decode_decrypt_reply(good + "x").ok());  // trailing bytes
  CHECK_FALSE(decode_decrypt_reply("\x07"s).ok());      // unknown reply kind
  // decrypted, signed-only, plaintext, failure, then the signature count: one signature with status 99
  DecryptOutcome signed_once;
  signed_once.decrypted = true;
  signed_once.plaintext = "p";
  signed_once.signatures = {{SignatureStatus::good, "F", 1796410800}};
  std::string one_sig = encode_reply(signed_once);
  one_sig[1 + 1 + 1 + 8 + 1 + 8 + 0 + 8] = 99;
  CHECK_FALSE(decode_decrypt_reply(one_sig).ok());
  CHECK_FALSE(decode_request("\x09"s + std::string(16, '\0')).ok());  // unknown operation
  CHECK_FALSE(decode_request(""s).ok());
  CHECK_FALSE(decode_text_reply(encode_reply(in)).ok());  // a reply of another operation
}

TEST_CASE("OpenPGP wire: frames over a socket") {
  int ends[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends) == 0);
  UniqueFd a(ends[0]), b(ends[1]);
  const std::string big(3 * 1000 * 1000, 'x');  // more than a socket buffer: written while read
  std::thread writer([&] { CHECK(send_frame(a.get(), big).ok()); });
  auto got = receive_frame(b.get(), std::chrono::milliseconds(10000));
  writer.join();
  REQUIRE(got.ok());
  CHECK(got.value() == big);

  auto silent = receive_frame(b.get(), std::chrono::milliseconds(50));
  REQUIRE_FALSE(silent.ok());
  CHECK(silent.error().kind == ErrorClass::temporary);

  a.reset();
  auto closed = receive_frame(b.get(), std::nullopt);
  REQUIRE_FALSE(closed.ok());
  CHECK(closed.error().kind == ErrorClass::temporary);
}

TEST_CASE("OpenPgpWorker: a real worker process") {
  testing::OpenPgpWorld& w = testing::ready_world();
  REQUIRE(openpgp_worker_program().ok());
  const std::string plaintext = "Incident report\r\nhost 192.0.2.7\r\n\x00\xff end"s;
  const std::string ciphertext = w.encrypt(plaintext, w.team_fpr, "--sign --local-user " + w.reporter_fpr);
  REQUIRE_FALSE(ciphertext.empty());
  OpenPgpWorker worker(OpenPgpWorkerSettings{w.team_home, OperationLimits{}, w.team_fpr});
  REQUIRE(worker.pid() > 0);

  SUBCASE("the same answers as in this process") {
    auto remote = worker.decrypt_and_verify(ciphertext);
    auto local = decrypt_and_verify(w.team_home, ciphertext, OperationLimits{});
    REQUIRE_MESSAGE(remote.ok(), remote.error().message);
    REQUIRE(local.ok());
    CHECK(remote->decrypted);
    CHECK(remote->plaintext == plaintext);
    CHECK(remote->plaintext == local->plaintext);
    REQUIRE(remote->signatures.size() == 1);
    CHECK(remote->signatures[0].status == SignatureStatus::good);
    CHECK(remote->signatures[0].fingerprint == w.reporter_fpr);
    auto stranger = worker.decrypt_and_verify(w.encrypt(plaintext, w.stranger_fpr, ""));
    REQUIRE(stranger.ok());
    CHECK_FALSE(stranger->decrypted);
    CHECK(stranger->failure == "not encrypted to the team key");
  }
  SUBCASE("signing and encrypting") {
    // The reporter's test key signs only; the team key has an encryption subkey.
    auto signing_only = worker.encryption_key_problem(w.reporter_fpr);
    REQUIRE_MESSAGE(signing_only.ok(), signing_only.error().message);
    CHECK(signing_only->value_or("") == "no usable encryption subkey");
    auto problem = worker.encryption_key_problem(w.team_fpr);
    REQUIRE(problem.ok());
    CHECK_FALSE(problem->has_value());
    auto unknown = worker.encryption_key_problem(std::string(40, 'A'));
    REQUIRE(unknown.ok());
    CHECK(unknown->value_or("") == "not in the keyring");
    auto armored = worker.sign_and_encrypt("ack\r\n", w.team_fpr);
    REQUIRE_MESSAGE(armored.ok(), armored.error().message);
    CHECK(armored->rfind("-----BEGIN PGP MESSAGE-----", 0) == 0);
    auto back = worker.decrypt_and_verify(armored.value());
    REQUIRE(back.ok());
    CHECK(back->plaintext == "ack\r\n");
    REQUIRE(back->signatures.size() == 1);
    CHECK(back->signatures[0].status == SignatureStatus::good);
    auto signature = worker.sign_detached("ack\r\n");
    REQUIRE(signature.ok());
    CHECK(signature->micalg.rfind("pgp-", 0) == 0);
    auto verified = worker.verify_detached("ack\r\n", signature->armored);
    REQUIRE(verified.ok());
    REQUIRE(verified->signatures.size() == 1);
    CHECK(verified->signatures[0].status == SignatureStatus::good);
    CHECK(verified->signatures[0].fingerprint == w.team_fpr);
  }
  SUBCASE("killed between requests: replaced, the request succeeds") {
    const pid_t first = worker.pid();
    REQUIRE(::kill(first, SIGKILL) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto outcome = worker.decrypt_and_verify(ciphertext);
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK(outcome->decrypted);
    CHECK(worker.pid() > 0);
    CHECK(worker.pid() != first);
  }
  SUBCASE("killed during a request: the request goes to a new worker") {
    const pid_t first = worker.pid();
    // A compression bomb under the cap keeps gpg busy long enough to be interrupted.
    const std::string zeros(40 * 1000 * 1000, '\0');
    const std::string bomb = w.encrypt(zeros, w.team_fpr, "--compress-algo zlib --compress-level 9");
    std::thread killer([first] {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      ::kill(first, SIGKILL);
    });
    auto outcome = worker.decrypt_and_verify(bomb);
    killer.join();
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK(outcome->decrypted);
    CHECK(outcome->plaintext.size() == zeros.size());
    CHECK(worker.pid() != first);
  }
  SUBCASE("every worker killed during a request: a temporary failure, then a new worker") {
    const std::string zeros(40 * 1000 * 1000, '\0');
    const std::string bomb = w.encrypt(zeros, w.team_fpr, "--compress-algo zlib --compress-level 9");
    std::atomic<bool> done{false};
    std::thread killer([&done] {
      while (!done) {
        for (pid_t pid : worker_children()) ::kill(pid, SIGKILL);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    auto interrupted = worker.decrypt_and_verify(bomb);
    done = true;
    killer.join();
    REQUIRE_FALSE(interrupted.ok());
    CHECK(interrupted.error().kind == ErrorClass::temporary);
    auto outcome = worker.decrypt_and_verify(ciphertext);
    REQUIRE_MESSAGE(outcome.ok(), outcome.error().message);
    CHECK(outcome->decrypted);
  }
  SUBCASE("a worker without a signing key refuses to sign") {
    OpenPgpWorker reader(OpenPgpWorkerSettings{w.team_home, OperationLimits{}, ""});
    auto signature = reader.sign_detached("x");
    REQUIRE_FALSE(signature.ok());
    CHECK(signature.error().message.find("without a signing key") != std::string::npos);
  }
}

TEST_CASE("OpenPgpWorker: the worker ends when the daemon's side goes") {
  testing::OpenPgpWorld& w = testing::ready_world();
  pid_t pid = -1;
  {
    OpenPgpWorker worker(OpenPgpWorkerSettings{w.team_home, OperationLimits{}, ""});
    pid = worker.pid();
    REQUIRE(pid > 0);
  }
  // Reaped by the destructor: the pid is no child of ours any more.
  CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
}

}  // namespace csirtgw
