#include "filed_copy.h"

#include "ascii_case.h"
#include "message_header.h"
#include "status_headers.h"
#include "ticket_store.h"

namespace csirtgw {

// Every envelope part was validated at the intake (printable ASCII, no CR/LF),
// so none can start a new header.
std::string filed_head(const Report& report, const std::string& hostname, std::time_t received) {
  std::string out = "Return-Path: <" + report.sender + ">\n";
  for (const auto& r : report.recipients) out += "Delivered-To: " + r.address + "\n";
  out += "Received: from " + report.helo + " (" + report.peer + ")\n\tby " + hostname + " (csirtgw) with " +
         (report.protocol == "lmtp" ? "LMTP" : "ESMTP") + " id " + report.spool_id + ";\n\t" +
         rfc5322_date(received) + "\n";
  out += render_status_headers(report);
  // A message whose first line starts with white space has no header section
  // (RFC 5322 2.2.3: a field never starts so). Right below our fields that
  // line would read as a continuation of the last one ("X-Csirtgw-Priority:
  // 3" + " RED"): an empty line ends our header block first, and the message,
  // its own would-be headers included, is the body (as Postfix's cleanup
  // files content that does not start with a header).
  const std::string_view message = report.message();
  if (!message.empty() && (message.front() == ' ' || message.front() == '\t')) out += "\n";
  return out;
}

namespace {

std::string with_lf(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out.push_back(text[i]);
  return out;
}

bool carries_tag(std::string_view subject_value, const std::string& ticket) {
  for (const auto& tag : ticket_tags(decode_encoded_words(subject_value)))
    if (format_ticket(tag.prefix, tag.number) == ticket) return true;
  return false;
}

}  // namespace

std::optional<TaggedHeader> tagged_subject(std::string_view message, const std::string& ticket) {
  if (ticket.empty() || message.empty() || message.front() == ' ' || message.front() == '\t') return std::nullopt;
  const std::string tag = "[" + ticket + "]";
  TaggedHeader out;
  bool has_subject = false;
  for (const auto& field : header_fields(message)) {
    std::string text = with_lf(field.text);
    if (!has_subject && field.name.size() == 7 && ascii_iequals(field.name, "Subject")) {
      has_subject = true;
      // The value as written (folding and encoded words kept), after the tag.
      std::string value = text.substr(8);
      const auto start = value.find_first_not_of(" \t");
      value = start == std::string::npos ? std::string() : value.substr(start);
      if (carries_tag(value, ticket)) return std::nullopt;
      text = "Subject: " + tag + (value.empty() || value.front() == '\n' ? "" : " ") + value;
      if (text.back() != '\n') text += "\n";
    }
    out.header += text;
  }
  if (!has_subject) {
    if (!out.header.empty() && out.header.back() != '\n') out.header += "\n";
    out.header += "Subject: " + tag + "\n";
  }
  out.rest_at = header_section(message).size();
  return out;
}

}  // namespace csirtgw
