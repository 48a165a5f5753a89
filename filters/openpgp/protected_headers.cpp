// Protected header fields: comparison and the merged filed message (protected_headers.h).
#include "protected_headers.h"

#include <algorithm>
#include <set>

#include "ascii_case.h"
#include "from_mailboxes.h"
#include "message_header.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

enum class Compare { mailboxes, subject, date, text };

struct Compared {
  const char* name;
  Compare how;
};

// What csirtgw reads from the protected part, in the order shown.
constexpr Compared kCompared[] = {
    {"From", Compare::mailboxes}, {"Sender", Compare::mailboxes}, {"Reply-To", Compare::mailboxes},
    {"To", Compare::mailboxes},   {"Cc", Compare::mailboxes},     {"Subject", Compare::subject},
    {"Date", Compare::date},      {"Message-ID", Compare::text},  {"In-Reply-To", Compare::text},
    {"References", Compare::text},
};

// White space runs as one space, none at the ends.
std::string collapsed(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string all_values(std::string_view headers, const char* name) {
  std::string out;
  for (const auto& value : header_values(headers, name)) out += collapsed(value) + "\n";
  return out;
}

bool same_value(const Compared& field, std::string_view outer, std::string_view inner, bool encrypted) {
  const auto outer_value = header_value(outer, field.name);
  if (!outer_value) return false;
  switch (field.how) {
    case Compare::mailboxes: {
      auto a = field_mailboxes(outer, field.name);
      auto b = field_mailboxes(inner, field.name);
      if (a && b) {
        std::sort(a->begin(), a->end());
        std::sort(b->begin(), b->end());
        return a.value() == b.value();
      }
      break;
    }
    case Compare::subject: {
      const std::string shown = collapsed(decode_encoded_words(*outer_value));
      // RFC 9788's obscured outer Subject of an encrypted message.
      if (encrypted && (shown == "[...]" || shown == "...")) return true;
      return shown == collapsed(decode_encoded_words(header_value(inner, field.name).value_or("")));
    }
    case Compare::date: {
      const auto a = parse_rfc5322_date(*outer_value);
      const auto b = parse_rfc5322_date(header_value(inner, field.name).value_or(""));
      if (a && b) return *a == *b;
      break;
    }
    case Compare::text:
      break;
  }
  return all_values(outer, field.name) == all_values(inner, field.name);
}

bool ends_line(std::string_view text) { return !text.empty() && text.back() == '\n'; }

}  // namespace

bool shown_once(std::string_view name) {
  static const char* const kOnce[] = {"From",       "Sender",      "Reply-To",   "To",           "Cc",
                                      "Bcc",        "Subject",     "Date",       "Message-ID",   "In-Reply-To",
                                      "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
  return std::any_of(std::begin(kOnce), std::end(kOnce), [&](const char* once) { return ascii_iequals(name, once); });
}

ProtectedHeaders compare_protected_headers(std::string_view outer, std::string_view inner, bool encrypted) {
  ProtectedHeaders out;
  for (const auto& field : kCompared) {
    const auto value = header_value(inner, field.name);
    if (!value) continue;
    out.fields.push_back({field.name, sanitize_untrusted(decode_encoded_words(*value), 900)});
    if (!same_value(field, outer, inner, encrypted)) out.mismatch.push_back(field.name);
  }
  return out;
}

std::string merge_decrypted_message(std::string_view outer_headers, std::string_view entity) {
  std::string_view entity_headers = header_section(entity);
  const std::vector<HeaderFieldText> inner = header_fields(entity_headers);
  // Decrypted text that does not start with a header field has none: all of it is the body.
  if (!inner.empty() && inner.front().name.empty()) entity_headers = {};

  std::string out;
  std::set<std::string> outer_names, written_once;
  bool mime_version = false;
  auto write = [&](const HeaderFieldText& field) {
    out.append(field.text);
    if (!ends_line(field.text)) out += "\r\n";
  };
  // Where a field shown once is written the first time; false for a repeat.
  auto first_of_its_name = [&](const std::string& name) { return !shown_once(name) || written_once.insert(name).second; };
  for (const auto& field : header_fields(outer_headers)) {
    const std::string name = ascii_lower(field.name);
    if (name.rfind("content-", 0) == 0) continue;  // the decrypted entity's instead
    if (name == "mime-version") {
      if (mime_version) continue;
      mime_version = true;
    }
    if (!first_of_its_name(name)) continue;
    outer_names.insert(name);
    write(field);
  }
  for (const auto& field : header_fields(entity_headers)) {
    const std::string name = ascii_lower(field.name);
    if (name == "mime-version") {
      if (!mime_version) write(field);
      mime_version = true;
      continue;
    }
    const bool content = name.rfind("content-", 0) == 0;
    if (!content && outer_names.count(name) > 0) continue;  // shown as X-Csirtgw-Protected-* instead
    if (!first_of_its_name(name)) continue;
    write(field);
  }
  const std::string_view rest = entity.substr(entity_headers.size());
  // The empty line that ends the header block, then the body.
  if (rest.rfind("\r\n", 0) != 0 && rest.rfind("\n", 0) != 0) out += "\r\n";
  out.append(rest);
  return out;
}

}  // namespace csirtgw
