// csirtgw-gpgme-loop: the ceiling for csirtgw's encrypted workload.
//
//   csirtgw-gpgme-loop --homedir H [--threads N] [--seconds S] [--warmup W]
//                      [--key-lookup] [--fresh-context] [--prefix P]
//                      [--ack-signer FPR [--ack-recipient FPR]] FILE...
//
// Decrypts and verifies the given OpenPGP messages (armored or binary) with
// gpgme_op_decrypt_verify in a closed loop: N threads, each with its own
// gpgme_ctx_t on GNUPGHOME H, set up the way csirtgw sets up its contexts
// (OpenPGP protocol, engine home H, no armor, offline, loopback pinentry).
// The threads take the files round robin from one shared counter, so every
// file is used about equally often.  Each thread first runs W untimed
// operations (default 1: starts the gpg-agent and loads the keys).  Then the
// timed phase runs for S seconds; operations still running at the deadline
// are finished and counted.
//
// An operation counts as ok only if it decrypted and every signature on it
// verified with GPG_ERR_NO_ERROR (and there is at least one).  Anything else
// is an error: the tool prints the first few and exits 1.
//
// Output on stdout, key=value (P defaults to "loop_"):
//   P threads, files, ok, errors, elapsed_s, rate (ok per second),
//   P ms_per_op (mean wall time of one operation per thread), input_bytes_avg
// and a one-line summary on stderr.
//
// --key-lookup:    after each operation also look up every signer's key with
//                  gpgme_get_key on a second context (what csirtgw does to map
//                  a signing subkey to its primary key).  Off for the ceiling.
// --fresh-context: make a new context for every operation (as csirtgw does)
//                  instead of one per thread.  Off for the ceiling.
// --ack-signer FPR [--ack-recipient FPR]: after each decrypt+verify also do
//                  the gpg work of csirtgw's acknowledgement: an armored
//                  detached signature by FPR over a 1.3 KB text (or, with
//                  --ack-recipient, one armored signed+encrypted message to
//                  that key, RFC 3156 6.2), on a second per-thread context.
//                  This makes the loop the same gpg workload as a report
//                  that is filed and acknowledged.
//
// Build: g++ -O2 -std=c++20 gpgme_loop.cpp -o csirtgw-gpgme-loop $(pkg-config --cflags --libs gpgme) -pthread
#include <gpgme.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string homedir;
  unsigned threads = 0;
  double seconds = 10.0;
  unsigned warmup = 1;
  bool key_lookup = false;
  bool fresh_context = false;
  std::string prefix = "loop_";
  std::string ack_signer;
  std::string ack_recipient;
  std::vector<std::string> files;
};

[[noreturn]] void usage(const char* why) {
  if (why) std::fprintf(stderr, "csirtgw-gpgme-loop: %s\n", why);
  std::fprintf(stderr,
               "usage: csirtgw-gpgme-loop --homedir H [--threads N] [--seconds S] [--warmup W]\n"
               "                          [--key-lookup] [--fresh-context] [--prefix P]\n"
               "                          [--ack-signer FPR [--ack-recipient FPR]] FILE...\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--homedir") o.homedir = value();
    else if (a == "--threads") o.threads = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--seconds") o.seconds = std::stod(value());
    else if (a == "--warmup") o.warmup = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--prefix") o.prefix = value();
    else if (a == "--ack-signer") o.ack_signer = value();
    else if (a == "--ack-recipient") o.ack_recipient = value();
    else if (a == "--key-lookup") o.key_lookup = true;
    else if (a == "--fresh-context") o.fresh_context = true;
    else if (a == "-h" || a == "--help") usage(nullptr);
    else if (a.starts_with("--")) usage(("unknown option " + a).c_str());
    else o.files.push_back(a);
  }
  if (o.homedir.empty()) usage("--homedir is required");
  if (o.files.empty()) usage("no input files");
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  if (o.seconds <= 0) usage("--seconds must be > 0");
  if (!o.ack_recipient.empty() && o.ack_signer.empty()) usage("--ack-recipient needs --ack-signer");
  return o;
}

gpgme_ctx_t make_context(const std::string& homedir) {
  gpgme_ctx_t ctx = nullptr;
  gpgme_error_t err = gpgme_new(&ctx);
  if (!err) err = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
  if (!err) err = gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, nullptr, homedir.c_str());
  if (err) {
    std::fprintf(stderr, "csirtgw-gpgme-loop: context: %s\n", gpgme_strerror(err));
    std::exit(1);
  }
  gpgme_set_armor(ctx, 0);
  gpgme_set_offline(ctx, 1);
  gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
  return ctx;
}

struct Shared {
  const Options* opt = nullptr;
  std::vector<std::string> inputs;
  std::atomic<unsigned long> next{0};
  std::atomic<unsigned long> ok{0};
  std::atomic<unsigned long> errors{0};
  std::atomic<unsigned> warmed{0};
  std::atomic<bool> start{false};
  Clock::time_point deadline;
  std::mutex log_mutex;
  std::vector<std::string> error_samples;
  double busy_ns_total = 0;  // summed per-thread wall time inside operations (timed phase)
};

// One decrypt+verify; returns an empty string when ok, else what went wrong.
std::string one_operation(gpgme_ctx_t ctx, gpgme_ctx_t lookup, const std::string& input) {
  gpgme_data_t in = nullptr, out = nullptr;
  if (auto err = gpgme_data_new_from_mem(&in, input.data(), input.size(), 0)) return gpgme_strerror(err);
  if (auto err = gpgme_data_new(&out)) {
    gpgme_data_release(in);
    return gpgme_strerror(err);
  }
  std::string problem;
  gpgme_error_t err = gpgme_op_decrypt_verify(ctx, in, out);
  if (err) {
    problem = std::string("decrypt_verify: ") + gpgme_strerror(err);
  } else {
    gpgme_decrypt_result_t dr = gpgme_op_decrypt_result(ctx);
    if (dr && dr->legacy_cipher_nomdc) problem = "no MDC";
    gpgme_verify_result_t vr = gpgme_op_verify_result(ctx);
    unsigned n = 0;
    for (gpgme_signature_t sig = vr ? vr->signatures : nullptr; sig && problem.empty(); sig = sig->next) {
      ++n;
      if (gpgme_err_code(sig->status) != GPG_ERR_NO_ERROR)
        problem = std::string("signature: ") + gpgme_strerror(sig->status);
      else if (lookup && sig->fpr) {
        gpgme_key_t key = nullptr;
        if (auto kerr = gpgme_get_key(lookup, sig->fpr, &key, 0)) problem = std::string("get_key: ") + gpgme_strerror(kerr);
        gpgme_key_unref(key);
      }
    }
    if (problem.empty() && n == 0) problem = "no signature";
    size_t len = 0;
    char* plain = gpgme_data_release_and_get_mem(out, &len);
    out = nullptr;
    if (problem.empty() && len == 0) problem = "empty plaintext";
    gpgme_free(plain);
  }
  if (out) gpgme_data_release(out);
  gpgme_data_release(in);
  return problem;
}

// The acknowledgement's share of the work: what csirtgw's AckComposer asks gpg for.
struct AckContext {
  gpgme_ctx_t ctx = nullptr;
  gpgme_key_t recipient = nullptr;
  std::string text;
};

AckContext make_ack_context(const Options& o) {
  AckContext a;
  if (o.ack_signer.empty()) return a;
  a.ctx = make_context(o.homedir);
  gpgme_set_armor(a.ctx, 1);
  gpgme_key_t signer = nullptr;
  if (auto err = gpgme_get_key(a.ctx, o.ack_signer.c_str(), &signer, 1)) {
    std::fprintf(stderr, "csirtgw-gpgme-loop: ack signer %s: %s\n", o.ack_signer.c_str(), gpgme_strerror(err));
    std::exit(1);
  }
  gpgme_signers_add(a.ctx, signer);
  gpgme_key_unref(signer);
  if (!o.ack_recipient.empty())
    if (auto err = gpgme_get_key(a.ctx, o.ack_recipient.c_str(), &a.recipient, 0)) {
      std::fprintf(stderr, "csirtgw-gpgme-loop: ack recipient %s: %s\n", o.ack_recipient.c_str(), gpgme_strerror(err));
      std::exit(1);
    }
  // About the size of csirtgw's default acknowledgement as a quoted-printable MIME part.
  a.text = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  while (a.text.size() < 1300) a.text += "thank you for your message to Example CERT. It has been received and regist=\r\n";
  return a;
}

std::string ack_operation(AckContext& a) {
  gpgme_data_t in = nullptr, out = nullptr;
  if (auto err = gpgme_data_new_from_mem(&in, a.text.data(), a.text.size(), 0)) return gpgme_strerror(err);
  if (auto err = gpgme_data_new(&out)) {
    gpgme_data_release(in);
    return gpgme_strerror(err);
  }
  gpgme_error_t err;
  if (a.recipient) {
    gpgme_key_t recipients[] = {a.recipient, nullptr};
    err = gpgme_op_encrypt_sign(a.ctx, recipients, GPGME_ENCRYPT_ALWAYS_TRUST, in, out);
  } else {
    err = gpgme_op_sign(a.ctx, in, out, GPGME_SIG_MODE_DETACH);
  }
  gpgme_data_release(in);
  gpgme_data_release(out);
  return err ? std::string("ack: ") + gpgme_strerror(err) : std::string();
}

void worker(Shared& s) {
  const Options& o = *s.opt;
  gpgme_ctx_t ctx = o.fresh_context ? nullptr : make_context(o.homedir);
  gpgme_ctx_t lookup = (o.key_lookup && !o.fresh_context) ? make_context(o.homedir) : nullptr;
  AckContext ack = make_ack_context(o);
  auto decrypt_verify = [&](const std::string& input) {
    if (o.fresh_context) {
      gpgme_ctx_t c = make_context(o.homedir);
      gpgme_ctx_t l = o.key_lookup ? make_context(o.homedir) : nullptr;
      std::string r = one_operation(c, l, input);
      if (l) gpgme_release(l);
      gpgme_release(c);
      return r;
    }
    return one_operation(ctx, lookup, input);
  };
  auto run = [&](const std::string& input) {
    std::string r = decrypt_verify(input);
    if (r.empty() && ack.ctx) r = ack_operation(ack);
    return r;
  };
  auto record_error = [&](const std::string& what) {
    std::lock_guard lock(s.log_mutex);
    if (s.error_samples.size() < 5) s.error_samples.push_back(what);
  };
  // untimed warm-up (agent start, key cache)
  for (unsigned i = 0; i < o.warmup; ++i) {
    auto r = run(s.inputs[i % s.inputs.size()]);
    if (!r.empty()) record_error("warm-up: " + r);
  }
  s.warmed.fetch_add(1);
  while (!s.start.load(std::memory_order_acquire)) std::this_thread::sleep_for(std::chrono::microseconds(200));
  double busy = 0;
  while (Clock::now() < s.deadline) {
    unsigned long k = s.next.fetch_add(1, std::memory_order_relaxed);
    const std::string& input = s.inputs[k % s.inputs.size()];
    auto t0 = Clock::now();
    auto r = run(input);
    busy += std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    if (r.empty()) {
      s.ok.fetch_add(1, std::memory_order_relaxed);
    } else {
      s.errors.fetch_add(1, std::memory_order_relaxed);
      record_error(r);
    }
  }
  {
    std::lock_guard lock(s.log_mutex);
    s.busy_ns_total += busy;
  }
  if (lookup) gpgme_release(lookup);
  if (ctx) gpgme_release(ctx);
  if (ack.recipient) gpgme_key_unref(ack.recipient);
  if (ack.ctx) gpgme_release(ack.ctx);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse(argc, argv);
  if (!gpgme_check_version(nullptr)) {
    std::fprintf(stderr, "csirtgw-gpgme-loop: GPGME failed to initialise\n");
    return 1;
  }
  if (auto err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP)) {
    std::fprintf(stderr, "csirtgw-gpgme-loop: no usable gpg: %s\n", gpgme_strerror(err));
    return 1;
  }

  Shared s;
  s.opt = &opt;
  double bytes = 0;
  for (const auto& f : opt.files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "csirtgw-gpgme-loop: cannot read %s\n", f.c_str());
      return 1;
    }
    s.inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    bytes += static_cast<double>(s.inputs.back().size());
  }

  // The clock starts once every thread has finished its warm-up.
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < opt.threads; ++i) threads.emplace_back([&s] { worker(s); });
  while (s.warmed.load() < opt.threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto t0 = Clock::now();
  s.deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.seconds));
  s.start.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();

  const unsigned long ok = s.ok.load(), errors = s.errors.load();
  const double rate = elapsed > 0 ? static_cast<double>(ok) / elapsed : 0;
  const unsigned long ops = ok + errors;
  const std::string& p = opt.prefix;
  std::printf("%sthreads=%u\n%sfiles=%zu\n%sok=%lu\n%serrors=%lu\n%selapsed_s=%.3f\n%srate=%.1f\n",
              p.c_str(), opt.threads, p.c_str(), s.inputs.size(), p.c_str(), ok, p.c_str(), errors, p.c_str(), elapsed,
              p.c_str(), rate);
  std::printf("%sack=%s\n", p.c_str(),
              opt.ack_signer.empty() ? "none" : opt.ack_recipient.empty() ? "signed" : "signed+encrypted");
  std::printf("%sms_per_op=%.3f\n%sinput_bytes_avg=%.0f\n%skey_lookup=%d\n%sfresh_context=%d\n", p.c_str(),
              ops ? s.busy_ns_total / 1e6 / static_cast<double>(ops) : 0.0, p.c_str(),
              bytes / static_cast<double>(s.inputs.size()), p.c_str(), opt.key_lookup ? 1 : 0, p.c_str(),
              opt.fresh_context ? 1 : 0);
  {
    // CPU of this process and of the gpg processes it ran (GPGME waits for them)
    rusage self{}, kids{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    std::printf("%scpu_self_s=%.3f\n%scpu_children_s=%.3f\n", p.c_str(), secs(self.ru_utime) + secs(self.ru_stime),
                p.c_str(), secs(kids.ru_utime) + secs(kids.ru_stime));
  }
  std::fflush(stdout);
  std::fprintf(stderr,
               "csirtgw-gpgme-loop: %.1f messages/s (%lu ok, %lu errors in %.2f s, %u threads, %zu files, homedir %s)\n",
               rate, ok, errors, elapsed, opt.threads, s.inputs.size(), opt.homedir.c_str());
  for (const auto& e : s.error_samples) std::fprintf(stderr, "csirtgw-gpgme-loop: error: %s\n", e.c_str());
  return errors == 0 && ok > 0 ? 0 : 1;
}
