// The anchoring thread: signs the audit chain head and appends it (audit_anchor_writer.h).
#include "audit_anchor_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include <spdlog/spdlog.h>

#include "audit_anchor.h"
#include "durable_file.h"
#include "exception_text.h"
#include "openpgp_worker.h"
#include "store.h"
#include "unique_fd.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

// A torn record is one append cut short: a few hundred octets. More than this
// after the last good record is not a cut append, and is left for a human.
constexpr std::size_t kMaxTornTail = 64 * 1024;

std::shared_ptr<spdlog::logger> logger() {
  auto log = spdlog::get("audit");
  return log ? log : spdlog::default_logger();
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// One write of the whole record, then fsync; the directory too when the file
// is new, so that neither the record nor the file can vanish in a crash.
Status append_durably(const std::filesystem::path& file, const std::string& record) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  const bool created = fd.valid();
  if (!created && errno == EEXIST) fd.reset(::open(file.c_str(), O_RDWR | O_APPEND | O_CLOEXEC));  // read: its last octet
  if (!fd.valid()) return errno_error("open " + file.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("stat " + file.string(), errno);
  std::string bytes;
  if (st.st_size > 0) {
    // A record starts on a line of its own, even after one whose last LF was
    // never written.
    char last = '\n';
    if (::pread(fd.get(), &last, 1, st.st_size - 1) != 1) return errno_error("read " + file.string(), errno);
    if (last != '\n') bytes = "\n";
  }
  bytes += record;
  if (auto written = write_all(fd.get(), bytes); !written) return written;
  if (auto synced = sync_file(fd.get()); !synced) return synced;
  if (created) return sync_directory(file.parent_path());
  return ok_status();
}

Status truncate_durably(const std::filesystem::path& file, std::size_t length) {
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("open " + file.string(), errno);
  if (::ftruncate(fd.get(), static_cast<off_t>(length)) != 0) return errno_error("truncate " + file.string(), errno);
  return sync_file(fd.get());
}

// A worker process for this one signature (the daemon's GPGME work runs in
// workers, keyring/openpgp_worker_loop.h says why): anchors are minutes
// apart, and an idle worker would only sit there.
Result<DetachedSignature> sign_with_team_key(const AnchorWriterSettings& settings, std::string_view text) {
  OpenPgpWorker signer(OpenPgpWorkerSettings{settings.gnupg_home, {}, settings.team_fingerprint});
  return signer.sign_detached(text);
}

}  // namespace

AuditAnchorWriter::AuditAnchorWriter(AnchorWriterSettings settings) : settings_(std::move(settings)) {}

AuditAnchorWriter::~AuditAnchorWriter() { stop(); }

std::filesystem::path AuditAnchorWriter::file() const { return settings_.state_dir / kAnchorFileName; }

void AuditAnchorWriter::recover_file() {
  auto log = logger();
  auto text = read_whole_file(file());
  if (!text) {
    if (text.error().message != "missing")
      log->warn("cannot read {}: {}; new anchors are appended to it", file().string(),
                sanitize_untrusted(text.error().message));
    return;
  }
  const ParsedAnchors parsed = parse_anchor_file(text.value());
  if (parsed.torn_tail && text->size() - parsed.complete_length <= kMaxTornTail) {
    // Like a queue file without its end record: a write the crash cut short,
    // never a whole anchor. Dropped so that the file reads whole again.
    if (auto st = truncate_durably(file(), parsed.complete_length); !st)
      log->warn("cannot drop the incomplete last record of {}: {}", file().string(),
                sanitize_untrusted(st.error().message));
    else
      log->warn("{}: dropped an incomplete last record ({} octets, an append cut short)", file().string(),
                text->size() - parsed.complete_length);
  } else if (parsed.problem) {
    log->error("{}: {}; `csirtgw audit verify --anchors` will report it; new anchors are appended after it",
               file().string(), *parsed.problem);
  }
  if (!parsed.records.empty()) {
    const AuditAnchor& last = parsed.records.back().anchor;
    last_anchored_ = AuditHead{last.seq, last.head_hash};
  }
}

Result<AuditHead> AuditAnchorWriter::current_head() {
  if (!db_) {
    auto opened = open_store_read_only(settings_.state_dir);
    if (!opened) return opened.error();
    db_.emplace(std::move(opened.value()));
  }
  auto head = read_audit_head(*db_);
  if (!head) db_.reset();  // a fresh connection next time
  return head;
}

void AuditAnchorWriter::check_last_anchor(const AuditHead& head) {
  if (!last_anchored_ || !db_) return;
  const AuditHead& last = *last_anchored_;
  auto log = logger();
  if (last.seq > head.seq) {
    log->error("the audit chain ends at seq {} but the last anchor in {} names seq {}: events were removed "
               "(check with `csirtgw audit verify --anchors`)",
               head.seq, file().string(), last.seq);
    return;
  }
  auto hash = audit_hash_at(*db_, last.seq);
  if (hash && hash.value() && *hash.value() != last.hash)
    log->error("event {} has hash {} but the last anchor in {} names {}: the chain was rewritten "
               "(check with `csirtgw audit verify --anchors`)",
               last.seq, *hash.value(), file().string(), last.hash);
}

Result<bool> AuditAnchorWriter::anchor_now() {
  auto head = current_head();
  if (!head) return head.error();
  if (!checked_last_anchor_) {
    check_last_anchor(head.value());
    checked_last_anchor_ = true;
  }
  // An empty log has nothing worth signing; an unmoved head, nothing new.
  if (head->seq == 0 || (last_anchored_ && *last_anchored_ == head.value())) return false;

  const AuditAnchor anchor{head->seq, head->hash, utc_timestamp_now(), upper(settings_.team_fingerprint)};
  auto signature = sign_with_team_key(settings_, anchor_statement(anchor));
  if (!signature) return signature.error();
  auto record = anchor_record(anchor, signature->armored);
  if (!record) return record.error();
  if (auto st = append_durably(file(), record.value()); !st) return st.error();
  last_anchored_ = head.value();
  logger()->info("anchored the audit chain at seq {} (head {}) in {}", head->seq, head->hash, file().string());
  return true;
}

void AuditAnchorWriter::start() {
  recover_file();
  thread_ = std::thread([this] { run(); });
}

void AuditAnchorWriter::run() {
  const auto attempt = [this] {
    Result<bool> done = false;
    try {
      done = anchor_now();
    } catch (...) {  // nothing leaves this thread: an anchor is retried next interval
      done = Error::internal("anchoring failed with " + exception_class(std::current_exception()));
    }
    if (!done)
      logger()->warn("audit anchor not written: {} (trying again in {} s)", sanitize_untrusted(done.error().message),
                     settings_.interval.count());
  };
  attempt();  // at start-up, the store open
  std::unique_lock lock(mutex_);
  while (true) {
    const bool stopping = wake_.wait_for(lock, settings_.interval, [this] { return stopping_; });
    lock.unlock();
    attempt();  // when stopping: the last anchor, after the store's writers stopped
    lock.lock();
    if (stopping) return;
  }
}

void AuditAnchorWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  db_.reset();
}

}  // namespace csirtgw
