// The outbound spool and the queue copy of a message from a ticket (correspondence_spool.h).
#include "correspondence_spool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "header_text.h"
#include "maildir_queue.h"
#include "outbound_store.h"

namespace csirtgw {
namespace {

// Running as root (the CLI): the file belongs to whoever owns the state
// directory (the daemon's listen.user), else that daemon could not read it.
void give_to_state_owner(const std::filesystem::path& state_dir, const std::filesystem::path& file) {
  if (::geteuid() != 0) return;
  struct stat owner {};
  if (::stat(state_dir.c_str(), &owner) != 0 || owner.st_uid == 0) return;
  (void)::chown(file.c_str(), owner.st_uid, owner.st_gid);
}

// tmp → fsync → chown → rename into new/ → fsync new/.
Status deliver(const MaildirQueue& queue, const std::filesystem::path& state_dir, MaildirQueue::PendingDelivery pending) {
  if (::fsync(pending.fd.get()) != 0) return Error::temporary("fsync " + pending.tmp_path.string() + " failed");
  give_to_state_owner(state_dir, pending.tmp_path);
  if (auto st = MaildirQueue::publish(pending); !st) return st;
  return queue.sync_new();
}

}  // namespace

Status spool_outgoing(Database& db, const std::filesystem::path& state_dir, const SpooledOutgoing& outgoing,
                      const std::string& message) {
  auto outbound = MaildirQueue::open(state_dir, "outbound");
  if (!outbound) return outbound.error();
  auto written = outbound->write_tmp(outgoing.outbound_id, message);
  if (!written) return written.error();
  if (auto st = deliver(*outbound, state_dir, std::move(written.value())); !st) return st;
  OutboundRow row;
  row.spool_id = outgoing.outbound_id;
  row.ticket = outgoing.ticket;
  row.recipient = outgoing.recipient;
  row.message_id = outgoing.message_id;
  row.encrypted = outgoing.encrypted;
  row.kind = outgoing.kind;
  return insert_outbound(db, row, std::time(nullptr));
}

Status write_queue_copy(const std::filesystem::path& state_dir, const std::string& queue, const std::string& outbound_id,
                        const std::string& hostname, const QueueCopyMarks& marks, const std::string& plaintext) {
  auto target = MaildirQueue::open(state_dir / "queues", queue);
  if (!target) return target.error();
  const std::string head = "X-Csirtgw-Direction: outgoing\n"
                           "X-Csirtgw-Ticket: " + header_text(marks.ticket) + "\n"
                           "X-Csirtgw-Correspondence: " + header_text(marks.kind) + "\n"
                           "X-Csirtgw-Staff: " + header_text(marks.staff) + "\n"
                           "X-Csirtgw-Encrypted-To: " + (marks.encrypted_to.empty() ? std::string("none (signed only)")
                                                                                     : header_text(marks.encrypted_to)) + "\n";
  const std::string name = maildir_base_name(std::time(nullptr), outbound_id, hostname);
  auto written = target->write_tmp_with_lf(name, head, plaintext);
  if (!written) return written.error();
  return deliver(*target, state_dir, std::move(written.value()));
}

}  // namespace csirtgw
