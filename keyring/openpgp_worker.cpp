// The daemon's side of an OpenPGP worker process (openpgp_worker.h).
#include "openpgp_worker.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

extern char** environ;

namespace csirtgw {
namespace {

constexpr const char* kProgramName = "csirtgw-openpgp-worker";

// Beyond the operation's own deadline (the worker's watchdog cancels gpg at
// it), how long the daemon waits before it takes the worker for wedged.
constexpr std::chrono::milliseconds kAnswerGrace{15000};

bool executable(const std::filesystem::path& path) { return ::access(path.c_str(), X_OK) == 0; }

// The worker's file descriptors: 3 its end of the socketpair, 4 (pinned
// program only) the descriptor the kernel executes it through.
constexpr int kWorkerSocketFd = 3;
constexpr int kProgramFd = 4;
// The pinned descriptor lives above both, so that setting up 3 and 4 in the
// child cannot overwrite it before it is copied.
constexpr int kPinnedFdFloor = 10;

// pin_openpgp_worker_program()'s file: one per process, like the executable
// it belongs with; set once at start-up, read by every start after that.
struct PinnedProgram {
  std::mutex mutex;
  std::filesystem::path path;
  int fd = -1;  // O_PATH; never closed
};
PinnedProgram& pinned_program() {
  static PinnedProgram pinned;
  return pinned;
}

// How a start executes the program: by the pinned descriptor, else by path.
struct ProgramToRun {
  std::filesystem::path path;  // argv[0] and error messages
  int fd = -1;
};
Result<ProgramToRun> program_to_run() {
  {
    PinnedProgram& pinned = pinned_program();
    std::lock_guard lock(pinned.mutex);
    if (pinned.fd >= 0) return ProgramToRun{pinned.path, pinned.fd};
  }
  auto path = openpgp_worker_program();
  if (!path) return path.error();
  return ProgramToRun{path.value(), -1};
}

// RAII for the two spawn attribute objects.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

template <typename T>
Result<T> decoded(const Result<std::string>& answer, Result<T> (*decode)(std::string_view)) {
  if (!answer) return answer.error();
  return decode(answer.value());
}

}  // namespace

Status pin_openpgp_worker_program() {
  auto path = openpgp_worker_program();
  if (!path) return path.error();
  UniqueFd opened(::open(path->c_str(), O_PATH | O_CLOEXEC));
  if (!opened.valid())
    return Error::internal("OpenPGP worker: cannot open " + path->string() + ": " + std::strerror(errno));
  UniqueFd high(::fcntl(opened.get(), F_DUPFD_CLOEXEC, kPinnedFdFloor));
  if (!high.valid()) return Error::internal(std::string("OpenPGP worker: fcntl: ") + std::strerror(errno));
  // Without /proc (a bare chroot) the descriptor cannot be executed: starts
  // go by path, as without a pin.
  if (::access(("/proc/self/fd/" + std::to_string(high.get())).c_str(), X_OK) != 0) return ok_status();
  PinnedProgram& pinned = pinned_program();
  std::lock_guard lock(pinned.mutex);
  if (pinned.fd >= 0) ::close(pinned.fd);
  pinned.fd = high.release();
  pinned.path = path.value();
  return ok_status();
}

Result<std::filesystem::path> openpgp_worker_program() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path beside;
  if (!ec) {
    beside = self.parent_path() / kProgramName;
    if (executable(beside)) return beside;
  }
  const std::filesystem::path installed = std::filesystem::path(CSIRTGW_LIBEXEC_DIR) / kProgramName;
  if (executable(installed)) return installed;
  return Error::internal(std::string(kProgramName) + " not found (looked at " +
                         (beside.empty() ? std::string() : beside.string() + " and ") + installed.string() + ")");
}

OpenPgpWorker::OpenPgpWorker(OpenPgpWorkerSettings settings) : settings_(std::move(settings)) {
  // Started now, so that it is ready (GPGME set up, keys looked up) when the
  // first message comes. If it cannot start, the first request tries again
  // and answers with the reason.
  (void)start();
}

OpenPgpWorker::~OpenPgpWorker() { stop(/*kill=*/false); }

Status OpenPgpWorker::start() {
  auto program = program_to_run();
  if (!program) return program.error();
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
    return Error::temporary(std::string("OpenPGP worker: socketpair: ") + std::strerror(errno));
  UniqueFd ours(ends[0]), theirs(ends[1]);

  SpawnSetup setup;
  // fd 3 is the worker's end; stdin and stdout are /dev/null; stderr stays
  // the daemon's, for the worker's own complaints. Nothing else is inherited
  // but, for a pinned program, fd 4: the kernel opens /proc/self/fd/4 in the
  // child, a magic link that needs no search permission on the directories
  // above the file (the worker closes it first thing).
  posix_spawn_file_actions_adddup2(&setup.actions, theirs.get(), kWorkerSocketFd);
  posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  std::string exec_path = program->path.string();
  if (program->fd >= 0) {
    posix_spawn_file_actions_adddup2(&setup.actions, program->fd, kProgramFd);
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, kProgramFd + 1);
    exec_path = "/proc/self/fd/" + std::to_string(kProgramFd);
  } else {
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, kWorkerSocketFd + 1);
  }
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&setup.attributes, &none);
  posix_spawnattr_setsigdefault(&setup.attributes, &all);
  posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  // argv[0] is the program's own path, for ps and for the worker's messages.
  const std::string program_text = program->path.string();
  std::vector<std::string> arguments = worker_arguments(settings_);
  std::vector<char*> argv{const_cast<char*>(program_text.c_str())};
  for (auto& a : arguments) argv.push_back(a.data());
  argv.push_back(nullptr);
  // posix_spawn clones without copying the daemon's address space (CLONE_VM |
  // CLONE_VFORK in glibc): this one spawn is cheap where GPGME's forks were not.
  pid_t pid = -1;
  if (int err = ::posix_spawn(&pid, exec_path.c_str(), &setup.actions, &setup.attributes, argv.data(), environ))
    return Error::temporary("OpenPGP worker: cannot start " + program_text +
                            (program->fd >= 0 ? " (through " + exec_path + ")" : std::string()) + ": " +
                            std::strerror(err));
  pid_ = pid;
  socket_ = std::move(ours);
  return ok_status();
}

void OpenPgpWorker::reap_if_exited() {
  if (pid_ <= 0) return;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    socket_.reset();
  }
}

void OpenPgpWorker::stop(bool kill) {
  if (pid_ <= 0) return;
  socket_.reset();  // the worker reads end-of-file and exits after its current operation
  int status = 0;
  for (int i = 0; i < 500 && !kill; ++i) {  // up to 5 s, then it is killed
    if (::waitpid(pid_, &status, WNOHANG) != 0) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Result<std::string> OpenPgpWorker::call(const OpenPgpRequest& request) {
  const std::string frame = encode_request(request);
  const std::chrono::milliseconds timeout = settings_.limits.deadline + kAnswerGrace;
  reap_if_exited();
  worker_failed_ = false;
  for (int attempt = 1;; ++attempt) {
    if (pid_ <= 0)
      if (auto started = start(); !started) return started.error();
    const auto sent_at = std::chrono::steady_clock::now();
    auto sent = send_frame(socket_.get(), frame);
    auto answer = sent ? receive_frame(socket_.get(), timeout) : Result<std::string>(sent.error());
    if (answer) return answer;
    const bool wedged = std::chrono::steady_clock::now() - sent_at >= timeout;
    stop(/*kill=*/true);  // dead or wedged: replaced
    // A worker that died (killed from outside, crashed) gets the request again
    // on a new one, so a single death costs the message nothing. One that
    // dies twice, or stopped answering, is a temporary failure: the message
    // stays spooled and is retried later.
    if (wedged || attempt == 2) {
      worker_failed_ = true;
      return answer.error();
    }
  }
}

Result<DecryptOutcome> OpenPgpWorker::decrypt_and_verify(std::string_view ciphertext) {
  return decoded(call({OpenPgpOp::decrypt_and_verify, ciphertext, {}}), decode_decrypt_reply);
}

Result<VerifyOutcome> OpenPgpWorker::verify_detached(std::string_view signed_bytes, std::string_view signature) {
  return decoded(call({OpenPgpOp::verify_detached, signed_bytes, signature}), decode_verify_reply);
}

Result<VerifyOutcome> OpenPgpWorker::verify_clearsigned(std::string_view message) {
  return decoded(call({OpenPgpOp::verify_clearsigned, message, {}}), decode_verify_reply);
}

Result<DetachedSignature> OpenPgpWorker::sign_detached(std::string_view data) {
  return decoded(call({OpenPgpOp::sign_detached, data, {}}), decode_signature_reply);
}

Result<std::optional<std::string>> OpenPgpWorker::encryption_key_problem(const std::string& fingerprint) {
  return decoded(call({OpenPgpOp::encryption_key_problem, fingerprint, {}}), decode_key_problem_reply);
}

Result<std::string> OpenPgpWorker::sign_and_encrypt(std::string_view data, const std::string& fingerprint) {
  return decoded(call({OpenPgpOp::sign_and_encrypt, data, fingerprint}), decode_text_reply);
}

}  // namespace csirtgw
