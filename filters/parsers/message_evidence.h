// Evidence a report carries besides its own text: its attachments (hashed,
// never opened) and the messages it forwards (a message/rfc822 part, or an
// .eml file sent as application/octet-stream), read as the evidence they are.
//
// Bounded: forwarded messages are scanned with the same MIME limits as the
// report, nested at most limits.depth deep, and all decoding together costs no
// more than the report's own size. Pure functions over untrusted bytes; never
// throw.
#pragma once

#include <string_view>
#include <vector>

#include "mime_structure.h"
#include "report_content.h"

namespace csirtgw {

// Adds to `content`:
// - for every attachment (a part with a file name or an attachment
//   disposition, or a non-text leaf other than signatures and report parts):
//   its SHA-256, SHA-1 and MD5 as indicators (origin attachment) and the fields
//   "attachment.name" (sanitised), "attachment.type" and "attachment.sha256",
//   one block per attachment;
// - for every forwarded original: the IP addresses of its Received headers,
//   its sender's domain, and the URLs, hosts and addresses of its text
//   (origin forwarded_original), and the hashes of its own attachments.
// Indicators already present (same kind and value) are not added again.
void add_message_evidence(std::string_view message, const MimeEntity& root, const MimeLimits& limits,
                          ReportContent& content);

// Drops e-mail indicators naming the message's own correspondents (From, To,
// Cc, Sender, Reply-To of `headers`): an inline forward quotes them, and they
// are the forwarder's, not the incident's.
void drop_own_addresses(std::string_view headers, std::vector<Indicator>& indicators);

}  // namespace csirtgw
