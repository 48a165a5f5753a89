// Audit anchor records: writing, parsing and the signed text (audit_anchor.h).
#include "audit_anchor.h"

#include <algorithm>

#include "untrusted_text.h"

namespace csirtgw {
namespace {

constexpr std::string_view kFormatLine = "csirtgw-audit-anchor: 1";
constexpr std::string_view kBeginSignature = "-----BEGIN PGP SIGNATURE-----";
constexpr std::string_view kEndSignature = "-----END PGP SIGNATURE-----";
// An armored signature is a dozen lines of 64 columns (RSA-4096 included);
// anything far larger is not one, and must not make the reader buffer without end.
constexpr std::size_t kMaxSignatureLines = 200;
constexpr std::size_t kMaxSignatureLineLength = 200;
// How much of a bad line a problem quotes.
constexpr std::size_t kQuoted = 80;

bool all_of_chars(std::string_view text, std::string_view allowed) {
  return std::all_of(text.begin(), text.end(), [&](char c) { return allowed.find(c) != std::string_view::npos; });
}

bool is_lower_hex(std::string_view text, std::size_t length) {
  return text.size() == length && all_of_chars(text, "0123456789abcdef");
}

bool is_upper_hex(std::string_view text, std::size_t length) {
  return text.size() == length && all_of_chars(text, "0123456789ABCDEF");
}

// "2026-12-04T19:20:00.123456Z", as utc_timestamp_now() writes it.
bool is_timestamp(std::string_view text) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (shape[i] == 'd' ? !digit : text[i] != shape[i]) return false;
  }
  return true;
}

// A positive decimal without leading zeros that fits an int64 (18 digits do).
std::optional<std::int64_t> parse_seq(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.front() == '0' || !all_of_chars(text, "0123456789"))
    return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Walks the text line by line, remembering where each line starts.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool at_end() const { return pos_ >= text_.size(); }
  std::size_t position() const { return pos_; }
  int line_number() const { return line_; }  // of the next line
  // The next line without its LF; `terminated` says whether an LF ended it
  // (false only for the file's last line).
  std::string_view next(bool& terminated) {
    const auto end = text_.find('\n', pos_);
    terminated = end != std::string_view::npos;
    const std::size_t stop = terminated ? end : text_.size();
    std::string_view line = text_.substr(pos_, stop - pos_);
    pos_ = terminated ? end + 1 : text_.size();
    ++line_;
    return line;
  }
  std::string_view peek() const {
    const auto end = text_.find('\n', pos_);
    return text_.substr(pos_, (end == std::string_view::npos ? text_.size() : end) - pos_);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::string anchor_statement(const AuditAnchor& anchor) {
  std::string out;
  out.append(kFormatLine).append("\n");
  out.append("seq: ").append(std::to_string(anchor.seq)).append("\n");
  out.append("head: ").append(anchor.head_hash).append("\n");
  out.append("signed-at: ").append(anchor.signed_at).append("\n");
  out.append("key: ").append(anchor.key_fingerprint).append("\n");
  return out;
}

Result<std::string> anchor_record(const AuditAnchor& anchor, std::string_view armored_signature) {
  std::string signature;
  signature.reserve(armored_signature.size() + 1);
  for (char c : armored_signature)
    if (c != '\r') signature.push_back(c);  // armor may come with CRLF; the file is LF only
  if (!signature.empty() && signature.back() != '\n') signature.push_back('\n');
  std::string record = anchor_statement(anchor) + signature + "\n";
  // The reader is the definition of the format: what it does not read back as
  // this one anchor is not written.
  const ParsedAnchors parsed = parse_anchor_file(record);
  if (parsed.problem) return Error::internal("not a valid anchor record: " + *parsed.problem);
  if (parsed.records.size() != 1 || parsed.records.front().statement != anchor_statement(anchor) ||
      parsed.complete_length != record.size())
    return Error::internal("not a valid anchor record: the signature is not one armored block");
  return record;
}

namespace {

// One record, from the format line to the signature's END line. Each failure
// names the record and the line; a file that ends before the record's last
// line makes the record torn rather than malformed.
class RecordParser {
 public:
  RecordParser(std::string_view text, LineReader& reader, int index, ParsedAnchors& out)
      : text_(text), reader_(reader), index_(index), out_(out) {}

  // False with out.problem (and perhaps out.torn_tail) set.
  bool parse(AnchorRecord& record) {
    record.line = reader_.line_number();
    return read_statement(record) && read_signature(record);
  }

 private:
  bool fail(const std::string& why) {
    out_.problem = "anchor " + std::to_string(index_) + " (line " + std::to_string(line_number_) + "): " + why;
    return false;
  }
  bool torn() {
    out_.torn_tail = true;
    return fail("incomplete: the file ends inside it (an append cut short?)");
  }
  std::string quoted() const { return "\"" + sanitize_untrusted(line_, kQuoted) + "\""; }

  // Reads the next line of the record; false when the file ends first. Only
  // the record's very last line may lack its LF (the writer adds one before
  // appending); any other unterminated line is a cut.
  bool read_line(bool last_of_record) {
    if (reader_.at_end()) return false;
    line_number_ = reader_.line_number();
    line_ = reader_.next(terminated_);
    return terminated_ || last_of_record;
  }
  std::optional<std::string_view> field(std::string_view name) {
    if (!read_line(false)) return std::nullopt;
    if (line_.substr(0, name.size()) != name) return std::string_view();
    return line_.substr(name.size());
  }

  bool read_statement(AnchorRecord& record) {
    const std::size_t record_start = reader_.position();
    line_number_ = reader_.line_number();
    line_ = reader_.next(terminated_);
    if (line_ != kFormatLine || !terminated_) {
      // Torn only when what is there is the start of our own header: other
      // text where a record starts is not ours to guess at (nor to drop).
      if (!terminated_ && kFormatLine.substr(0, line_.size()) == line_) return torn();
      return fail("expected \"" + std::string(kFormatLine) + "\", got " + quoted());
    }
    const auto seq_text = field("seq: ");
    if (!seq_text) return torn();
    const auto seq = parse_seq(*seq_text);
    if (!seq) return fail("expected \"seq: <number from 1>\", got " + quoted());
    record.anchor.seq = *seq;
    const auto head = field("head: ");
    if (!head) return torn();
    if (!is_lower_hex(*head, 64)) return fail("expected \"head: <64 lower-case hex digits>\", got " + quoted());
    record.anchor.head_hash = std::string(*head);
    const auto at = field("signed-at: ");
    if (!at) return torn();
    if (!is_timestamp(*at)) return fail("expected \"signed-at: YYYY-MM-DDTHH:MM:SS.ffffffZ\", got " + quoted());
    record.anchor.signed_at = std::string(*at);
    const auto key = field("key: ");
    if (!key) return torn();
    if (!is_upper_hex(*key, 40)) return fail("expected \"key: <40 upper-case hex digits>\", got " + quoted());
    record.anchor.key_fingerprint = std::string(*key);
    record.statement = std::string(text_.substr(record_start, reader_.position() - record_start));
    return true;
  }

  bool read_signature(AnchorRecord& record) {
    const std::size_t signature_start = reader_.position();
    if (!read_line(false)) return torn();
    if (line_ != kBeginSignature) return fail("expected \"" + std::string(kBeginSignature) + "\", got " + quoted());
    for (std::size_t count = 0;; ++count) {
      if (count > kMaxSignatureLines)
        return fail("the signature block has no end within " + std::to_string(kMaxSignatureLines) + " lines");
      if (!read_line(true)) return torn();
      if (line_ == kEndSignature) break;
      if (!terminated_) return torn();
      // A damaged END line must not swallow the records after it (nor, at
      // the end of the file, get them dropped as a torn tail).
      if (line_ == kFormatLine || line_.substr(0, 5) == "-----")
        return fail("the signature block ends without \"" + std::string(kEndSignature) + "\": " + quoted());
      if (line_.size() > kMaxSignatureLineLength || !is_printable_ascii(line_))
        return fail("not a line of an armored signature: " + quoted());
    }
    record.signature = std::string(text_.substr(signature_start, reader_.position() - signature_start));
    if (!terminated_) record.signature.push_back('\n');
    return true;
  }

  std::string_view text_;
  LineReader& reader_;
  int index_;
  ParsedAnchors& out_;
  int line_number_ = 0;
  bool terminated_ = false;
  std::string_view line_;
};

}  // namespace

ParsedAnchors parse_anchor_file(std::string_view text) {
  ParsedAnchors out;
  LineReader reader(text);
  for (int index = 1;; ++index) {
    // Empty lines separate records.
    while (!reader.at_end() && reader.peek().empty()) {
      bool terminated = false;
      reader.next(terminated);
    }
    out.complete_length = reader.position();
    if (reader.at_end()) return out;
    AnchorRecord record;
    if (!RecordParser(text, reader, index, out).parse(record)) return out;
    out.records.push_back(std::move(record));
  }
}

}  // namespace csirtgw
