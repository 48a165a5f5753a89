// Where a message from a ticket goes once composed: the durable outbound spool
// the acknowledgements use (outbound/new/<id> written and fsynced, then its
// `outbound` row in the caller's transaction: a crash before the commit
// leaves a file the sender's recovery removes, after it the sender delivers
// it, with retries, exactly as for acknowledgements, README "Acknowledgements"),
// and a plaintext copy in the ticket's queue Maildir, so that the thread reads
// complete in any mail client. Files written by root (the CLI) are given to
// the owner of the state directory, so that a daemon that dropped to
// listen.user can read them.
#pragma once

#include <filesystem>
#include <string>

#include "result.h"
#include "sqlite_db.h"

namespace csirtgw {

struct SpooledOutgoing {
  std::string outbound_id;  // file name and `outbound.spool_id`
  std::string ticket;       // "XYZ-CERT #42", "" for a notice
  std::string recipient;
  std::string message_id;
  bool encrypted = false;
  std::string kind;  // "correspondence" | "notice"
};
// Within the caller's write transaction.
Status spool_outgoing(Database& db, const std::filesystem::path& state_dir, const SpooledOutgoing& outgoing,
                      const std::string& message);

// The X-Csirtgw-* headers above the queue copy: it is csirtgw's outgoing mail,
// not a report (X-Csirtgw-Direction: outgoing).
struct QueueCopyMarks {
  std::string ticket;
  std::string staff;
  std::string encrypted_to;  // fingerprint, "" = signed only
  std::string kind;
};
// `plaintext`: CRLF; written with LF line ends (the Maildir convention).
Status write_queue_copy(const std::filesystem::path& state_dir, const std::string& queue, const std::string& outbound_id,
                        const std::string& hostname, const QueueCopyMarks& marks, const std::string& plaintext);

}  // namespace csirtgw
