// Attachments and forwarded originals as evidence (see message_evidence.h).
#include "message_evidence.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>

#include "ascii_case.h"
#include "html_text.h"
#include "indicator_extractor.h"
#include "message_header.h"
#include "structured_fields.h"
#include "transfer_decoding.h"
#include "untrusted_text.h"

namespace csirtgw {
namespace {

constexpr std::size_t max_forward_depth = 8;  // below limits.depth too
constexpr std::size_t max_name_bytes = 255;    // a sanitised attachment name
constexpr std::size_t max_indicators = 10000;  // in all, as extract_indicators' default

// Parts that belong to the report's machinery, not its evidence.
bool is_machinery(const ContentType& ct) {
  return ct.is("application", "pgp-signature") || ct.is("application", "pgp-encrypted") ||
         ct.is("application", "pkcs7-signature") || ct.is("application", "x-pkcs7-signature") ||
         ct.is("message", "feedback-report") || ct.is("message", "delivery-status") ||
         ct.is("text", "rfc822-headers");
}

bool has_attachment_disposition(std::string_view message, const MimeEntity& e) {
  auto disposition = header_value(e.headers(message), "Content-Disposition");
  return disposition && ascii_istarts_with(ascii_trim(*disposition), "attachment");
}

bool is_attachment(std::string_view message, const MimeEntity& e) {
  const auto& ct = e.content_type;
  if (ct.type == "multipart" || is_machinery(ct)) return false;
  if (!part_filename(message, e).empty() || has_attachment_disposition(message, e)) return true;
  return ct.type != "text" && ct.type != "message";
}

// SHA-256, SHA-1 and MD5 of a byte stream, fed in chunks: a 50 MB attachment
// is hashed as it is decoded, never held decoded as a whole.
class Digests {
 public:
  Digests() {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      contexts_[i].reset(EVP_MD_CTX_new());
      ok_ = ok_ && contexts_[i] && EVP_DigestInit_ex(contexts_[i].get(), kinds[i].md(), nullptr) == 1;
    }
  }
  void update(std::string_view bytes) {
    for (auto& ctx : contexts_) ok_ = ok_ && EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1;
  }
  // kind, lower-case hex; empty when OpenSSL failed.
  std::vector<std::pair<IndicatorKind, std::string>> finish() {
    std::vector<std::pair<IndicatorKind, std::string>> out;
    for (std::size_t i = 0; i < kinds.size() && ok_; ++i) {
      std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
      unsigned int size = 0;
      if (EVP_DigestFinal_ex(contexts_[i].get(), digest.data(), &size) != 1) return {};
      out.emplace_back(kinds[i].kind, hex(digest.data(), size));
    }
    return out;
  }

 private:
  struct Kind {
    IndicatorKind kind;
    const EVP_MD* (*md)();
  };
  static constexpr std::array<Kind, 3> kinds = {{{IndicatorKind::sha256, EVP_sha256},
                                                 {IndicatorKind::sha1, EVP_sha1},
                                                 {IndicatorKind::md5, EVP_md5}}};
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  static std::string hex(const unsigned char* bytes, unsigned int size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out.push_back(digits[bytes[i] >> 4]);
      out.push_back(digits[bytes[i] & 0x0F]);
    }
    return out;
  }
  std::array<std::unique_ptr<EVP_MD_CTX, Free>, 3> contexts_;
  bool ok_ = true;
};

// Calls chunk(decoded) over the body in pieces of about `piece` bytes: base64
// by whole quanta, quoted-printable by whole lines, identity as it is.
template <typename Chunk>
void for_each_decoded_piece(std::string_view body, std::string_view encoding, Chunk chunk) {
  constexpr std::size_t piece = 64 * 1024;  // a multiple of 4: whole base64 quanta
  if (encoding == "base64") {
    std::string quanta;
    quanta.reserve(piece);
    for (const char c : body) {
      const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                            c == '/' || c == '=';
      if (!alphabet) continue;
      quanta.push_back(c);
      if (quanta.size() == piece) {
        chunk(decode_transfer_encoding(quanta, encoding));
        quanta.clear();
      }
    }
    if (!quanta.empty()) chunk(decode_transfer_encoding(quanta, encoding));
  } else if (encoding == "quoted-printable") {
    for (std::size_t pos = 0; pos < body.size();) {
      const std::size_t nl = body.find('\n', std::min(body.size(), pos + piece));
      const std::size_t end = nl == std::string_view::npos ? body.size() : nl + 1;
      chunk(decode_transfer_encoding(body.substr(pos, end - pos), encoding));
      pos = end;
    }
  } else {
    chunk(body);
  }
}

// A message's bytes as an .eml would hold them: a header block that starts
// with a field every transported message has.
bool looks_like_message(std::string_view bytes) {
  static constexpr std::array<std::string_view, 7> first_fields = {
      "received:", "return-path:", "delivered-to:", "from:", "message-id:", "date:", "mime-version:"};
  const std::string_view start = bytes.substr(0, 32);
  return std::any_of(first_fields.begin(), first_fields.end(),
                     [&](std::string_view f) { return ascii_istarts_with(start, f); });
}

class EvidenceReader {
 public:
  EvidenceReader(const MimeLimits& limits, std::size_t budget, ReportContent& content)
      : limits_(limits), budget_(budget), content_(content) {
    for (const auto& i : content.indicators) known_.insert(key(i));
  }

  void walk(std::string_view message, const MimeEntity& entity, std::size_t depth, bool inside_forward);

 private:
  void add(Indicator indicator, IndicatorOrigin origin);
  void attachment(std::string_view message, const MimeEntity& entity, std::size_t depth, bool inside_forward);
  void forwarded(std::string_view message, const MimeEntity& root, std::size_t depth);
  void forwarded_bytes(std::string_view bytes, std::size_t depth);
  void forwarded_text(std::string_view message, const MimeEntity& entity);
  bool spend(std::size_t bytes);

  static std::string key(const Indicator& i) { return std::string(to_string(i.kind)) + ' ' + i.value; }

  const MimeLimits& limits_;
  std::size_t budget_;
  ReportContent& content_;
  std::unordered_set<std::string> known_;  // kind and value of every indicator in content_
  int attachments_ = 0;
};

bool EvidenceReader::spend(std::size_t bytes) {
  if (bytes > budget_) return false;
  budget_ -= bytes;
  return true;
}

void EvidenceReader::add(Indicator indicator, IndicatorOrigin origin) {
  if (content_.indicators.size() >= max_indicators || !known_.insert(key(indicator)).second) return;
  indicator.origin = origin;
  content_.indicators.push_back(std::move(indicator));
}

void EvidenceReader::walk(std::string_view message, const MimeEntity& entity, std::size_t depth, bool inside_forward) {
  const auto& ct = entity.content_type;
  if (ct.is("multipart", "encrypted")) return;  // ciphertext the OpenPGP stage could not open: no evidence
  if (ct.type == "multipart") {
    for (const auto& part : entity.parts) walk(message, part, depth, inside_forward);
  } else if (ct.is("message", "rfc822")) {
    if (!part_filename(message, entity).empty()) attachment(message, entity, depth, inside_forward);
    const bool identity = entity.transfer_encoding == "7bit" || entity.transfer_encoding == "8bit" ||
                          entity.transfer_encoding == "binary";
    if (identity && !entity.parts.empty()) forwarded(message, entity.parts.front(), depth + 1);
    else if (!identity) forwarded_bytes(decoded_body(message, entity), depth + 1);
  } else if (is_attachment(message, entity)) {
    attachment(message, entity, depth, inside_forward);
  }
}

void EvidenceReader::attachment(std::string_view message, const MimeEntity& entity, std::size_t depth,
                                bool inside_forward) {
  const std::string name = part_filename(message, entity);
  const bool enclosed = entity.content_type.is("message", "rfc822");  // read by walk() already
  const bool eml = ascii_iends_with(name, ".eml");
  Digests digests;
  std::string kept;  // decoded, only when the attachment is a message to read further
  bool keep = false, first = true;
  for_each_decoded_piece(entity.body(message), entity.transfer_encoding, [&](std::string_view piece) {
    if (first) keep = !enclosed && (eml || looks_like_message(piece));
    first = false;
    digests.update(piece);
    if (keep && kept.size() + piece.size() <= budget_) kept.append(piece);
    else keep = false;
  });
  std::string sha256;
  for (auto& [kind, value] : digests.finish()) {
    if (kind == IndicatorKind::sha256) sha256 = value;
    add({kind, std::move(value)}, IndicatorOrigin::attachment);
  }
  if (!inside_forward) {
    FieldSink sink(content_, "attachment");
    const int block = attachments_++;
    sink.add("attachment.name", sanitize_untrusted(name, max_name_bytes), block);
    sink.add("attachment.type", entity.content_type.type + "/" + entity.content_type.subtype, block);
    sink.add("attachment.sha256", sha256, block);
  }
  if (keep) forwarded_bytes(kept, depth + 1);
}

void EvidenceReader::forwarded_bytes(std::string_view bytes, std::size_t depth) {
  if (depth > std::min(limits_.depth, max_forward_depth) || !spend(bytes.size())) return;
  auto scanned = scan_mime(bytes, limits_);
  if (scanned) forwarded(bytes, scanned.value(), depth);
}

// A forwarded original: its relays, its sender's domain, its text, its attachments.
void EvidenceReader::forwarded(std::string_view message, const MimeEntity& root, std::size_t depth) {
  if (depth > std::min(limits_.depth, max_forward_depth)) return;
  const std::string_view headers = root.headers(message);
  for (const auto& received : header_values(headers, "Received"))
    for (auto& found : extract_indicators(received, 64))
      if (found.kind == IndicatorKind::ipv4 || found.kind == IndicatorKind::ipv6)
        add(std::move(found), IndicatorOrigin::forwarded_original);
  if (auto from = header_value(headers, "From"))
    for (auto& found : extract_indicators(*from, 4))
      if (found.kind == IndicatorKind::email)
        add({IndicatorKind::domain, found.value.substr(found.value.rfind('@') + 1)}, IndicatorOrigin::forwarded_original);
  forwarded_text(message, root);
  walk(message, root, depth, true);
}

void EvidenceReader::forwarded_text(std::string_view message, const MimeEntity& entity) {
  const auto& ct = entity.content_type;
  if (ct.type == "multipart") {
    for (const auto& part : entity.parts) forwarded_text(message, part);
    return;
  }
  if (ct.type != "text" || !part_filename(message, entity).empty()) return;
  const std::string body = decoded_body(message, entity);
  const std::string text = ct.subtype == "html" ? html_to_text(body) : body;
  for (auto& found : extract_indicators(text, 1000))
    if (found.kind == IndicatorKind::url || found.kind == IndicatorKind::domain || found.kind == IndicatorKind::ipv4 ||
        found.kind == IndicatorKind::ipv6)
      add(std::move(found), IndicatorOrigin::forwarded_original);
}

}  // namespace

void add_message_evidence(std::string_view message, const MimeEntity& root, const MimeLimits& limits,
                          ReportContent& content) {
  EvidenceReader reader(limits, message.size(), content);
  reader.walk(message, root, 0, false);
}

void drop_own_addresses(std::string_view headers, std::vector<Indicator>& indicators) {
  std::vector<std::string> own;
  for (const char* name : {"From", "To", "Cc", "Sender", "Reply-To"})
    for (const auto& value : header_values(headers, name))
      for (const auto& found : extract_indicators(value, 100))
        if (found.kind == IndicatorKind::email) own.push_back(found.value);
  std::erase_if(indicators, [&](const Indicator& i) {
    return i.kind == IndicatorKind::email && i.origin == IndicatorOrigin::report_text &&
           std::find(own.begin(), own.end(), i.value) != own.end();
  });
}

}  // namespace csirtgw
