// What must hold for every message the pipeline files, whatever its bytes:
// shared by the whole-chain targets (fuzz_whole_chain, fuzz_openpgp_chain).
// A stage may decide anything about hostile mail, but
//  * it never throws (libFuzzer reports an escaped exception as a crash) and
//    never defers (a retry would hold up every later message forever);
//  * each audit note is one JSON value of valid UTF-8 (issue 14: an invalid
//    byte in a detail made the audit writer throw and stopped the daemon);
//  * the queue is a real, safe Maildir name;
//  * the head csirtgw writes above the message is printable ASCII, LF-ended,
//    and each line is one of csirtgw's own fields or a continuation: no text
//    from the message can start a header line of its own;
//  * the filed bytes are the head, then the message with CRLF -> LF; and in
//    the top header block a mail client reads, every X-Csirtgw-* line is one
//    csirtgw wrote (forged ones were stripped).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "filter.h"
#include "fuzz_common.h"
#include "maildir_queue.h"
#include "message_header.h"
#include "policy.h"
#include "report.h"

namespace csirtgw::fuzz {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned cp = 0, min = 0;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; min = 0x10000; }
    else return false;
    if (i + n >= s.size()) return false;  // cut short
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// The input as the intake hands it on: a bare CR or LF ends the SMTP/LMTP
// session (smuggling defence), so a spooled message has CRLF line ends only.
inline std::string as_spooled(std::string_view input) {
  std::string out;
  out.reserve(input.size() + input.size() / 16);
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (c == '\r' && i + 1 < input.size() && input[i + 1] == '\n') {
      out += "\r\n";
      ++i;
    } else if (c == '\r' || c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The filing worker's loop over a chain (daemon/filing_worker.cpp,
// load_and_stage): each stage in order, stop ends the chain early.
inline void run_chain(const FilterChain& chain, Report& report) {
  for (const auto& filter : chain) {
    const FilterOutcome outcome = filter->process(report);
    report.stages_done.emplace_back(filter->name());
    FUZZ_CHECK(outcome.verdict != FilterVerdict::defer, "a message's content made a stage defer (retried forever)");
    FUZZ_CHECK(valid_utf8(outcome.reason), "a stage's reason is not valid UTF-8");
    if (outcome.verdict == FilterVerdict::stop) return;
  }
}

inline void check_audit_notes(const Report& report) {
  for (const auto& note : report.audit_notes) {
    FUZZ_CHECK(!note.event.empty(), "an audit note without an event name");
    FUZZ_CHECK(valid_utf8(note.detail), "an audit detail is not valid UTF-8");
    // parse() rejects invalid UTF-8 in strings too; no exceptions here.
    FUZZ_CHECK(nlohmann::json::accept(note.detail), "an audit detail is not JSON");
  }
}

// The queues a report may be filed into: the policy's, quarantine, and
// "incoming" (no rule matched).
inline void check_queue(const Report& report, const Policy& policy) {
  static std::set<std::string> allowed;
  if (allowed.empty()) {
    allowed = {"incoming", "quarantine"};
    for (const auto& rule : policy.routes) allowed.insert(rule.queue);
  }
  FUZZ_CHECK(!report.queue.empty(), "empty queue name");
  FUZZ_CHECK(allowed.count(report.queue) == 1, "a queue the policy does not name");
  FUZZ_CHECK(report.queue.find('/') == std::string::npos && report.queue != "." && report.queue != "..",
             "queue name is not a safe directory name");
}

inline bool starts_with_field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

inline bool csirtgw_field(std::string_view line) {
  static const char* const kOwn[] = {"Return-Path", "Delivered-To", "Received", "X-Csirtgw-Ticket",
                                     "X-Csirtgw-Queue", "X-Csirtgw-Encryption", "X-Csirtgw-Signature",
                                     "X-Csirtgw-Signer", "X-Csirtgw-Sender-Verified", "X-Csirtgw-Crypto-Reason",
                                     "X-Csirtgw-Verification-Reason", "X-Csirtgw-Header-Mismatch",
                                     "X-Csirtgw-Type", "X-Csirtgw-Disclosure", "X-Csirtgw-Constituency",
                                     "X-Csirtgw-TLP", "X-Csirtgw-Priority",
                                     // classification evidence and follow-up participation (issue 16)
                                     "X-Csirtgw-Constituency-Because", "X-Csirtgw-Reporter",
                                     "X-Csirtgw-Participant"};
  for (const char* name : kOwn)
    if (starts_with_field(line, name)) return true;
  // X-Csirtgw-Protected-Headers and -Protected-<Name>: the signed part's own fields.
  constexpr std::string_view kProtected = "x-csirtgw-protected-";
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon <= kProtected.size()) return false;
  for (std::size_t i = 0; i < kProtected.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != kProtected[i]) return false;
  for (std::size_t i = kProtected.size(); i < colon; ++i)
    if (!std::isalnum(static_cast<unsigned char>(line[i])) && line[i] != '-') return false;
  return true;
}

// `message`: what follows the head in the file (an empty line may end the
// head only when the message starts with white space, filed_copy.h).
inline void check_head(std::string_view head, std::string_view message) {
  FUZZ_CHECK(!head.empty() && head.back() == '\n', "the head does not end with a line end");
  const bool folded_start = !message.empty() && (message.front() == ' ' || message.front() == '\t');
  if (folded_start) {
    FUZZ_CHECK(head.size() >= 2 && head.substr(head.size() - 2) == "\n\n",
               "a message starting with white space, and no empty line ends the head");
    head.remove_suffix(1);
  }
  for (char c : head) {
    const auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(c == '\n' || c == '\t' || (u >= 0x20 && u < 0x7f), "the head holds a CR, control or non-ASCII byte");
  }
  std::size_t pos = 0;
  while (pos < head.size()) {
    const std::size_t end = head.find('\n', pos);
    const std::string_view line = head.substr(pos, end - pos);
    FUZZ_CHECK(!line.empty(), "an empty line in the head (it would end the header block)");
    FUZZ_CHECK(line[0] == ' ' || line[0] == '\t' || csirtgw_field(line), "a head line that is not csirtgw's own field");
    pos = end + 1;
  }
}

// Writes the message the way the worker does (MaildirQueue::write_tmp_with_lf,
// in a queue under a per-process temp dir) and returns the bytes on disk.
inline std::string filed_bytes(std::string_view head, std::string_view message) {
  // Never destroyed: the exit handler that removes it runs after static destructors.
  static const std::filesystem::path& root = *[] {
    std::string pattern = (std::filesystem::temp_directory_path() / "cgw-fuzz-queue-XXXXXX").string();
    FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    static auto* made = new std::filesystem::path(pattern);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*made, ec);
    });
    return made;
  }();
  static MaildirQueue queue = [] {
    auto opened = MaildirQueue::open(root, "q");
    FUZZ_CHECK(opened.ok(), "cannot open the scratch queue");
    return std::move(opened.value());
  }();
  auto written = queue.write_tmp_with_lf("m", head, message);
  FUZZ_CHECK(written.ok(), "write_tmp_with_lf failed");
  const std::string path = written.value().tmp_path.string();
  written.value().fd.reset();
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  FUZZ_CHECK(fd >= 0, "cannot read the filed copy back");
  char buffer[65536];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  ::unlink(path.c_str());
  return out;
}

// `spooled`: the message came from the intake (CRLF only), so the header
// checks apply; otherwise (decrypted text may hold anything) only the bytes.
inline void check_filed(const Report& report, std::string_view head, bool spooled) {
  check_head(head, report.message());
  const std::string filed = filed_bytes(head, report.message());
  FUZZ_CHECK(filed.size() >= head.size() && std::string_view(filed).substr(0, head.size()) == head,
             "the filed copy does not start with the head");
  FUZZ_CHECK(std::string_view(filed).substr(head.size()) == to_unix_line_ends(report.message()),
             "the filed message is not the message with CRLF -> LF");
  if (!spooled) return;
  // A message line right below the head that starts with white space would
  // read as a continuation of csirtgw's last status field.
  FUZZ_CHECK(head.substr(head.size() - 2) == "\n\n" || filed.size() == head.size() ||
                 (filed[head.size()] != ' ' && filed[head.size()] != '\t'),
             "the message's first line continues csirtgw's last status field");
  if (head.substr(head.size() - 2) == "\n\n") return;  // the message is all body
  // The top header block as a mail client reads the LF file, after the
  // head: no field in it (a line and its continuation lines, holding a
  // colon; a line without one is no field) may pass for a csirtgw status field.
  for (std::size_t pos = head.size(); pos < filed.size();) {
    std::size_t end = std::min(filed.find('\n', pos), filed.size());
    if (end == pos) break;  // the empty line: the end of the top header block
    while (end + 1 < filed.size() && (filed[end + 1] == ' ' || filed[end + 1] == '\t'))
      end = std::min(filed.find('\n', end + 1), filed.size());
    const std::string_view field = std::string_view(filed).substr(pos, end - pos);
    std::string start(field.substr(0, 10));
    for (char& c : start) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(start != "x-csirtgw-" || field.find(':') == std::string_view::npos,
               "an X-Csirtgw-* field from the message in the top header block");
    pos = end + 1;
  }
}

}  // namespace csirtgw::fuzz
