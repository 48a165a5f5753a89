// scan_mime (filters/mime/mime_structure.h) over arbitrary messages with the
// MimeLimits the daemon builds from its configuration (filters/classify/classify_stage.cpp,
// filters/openpgp/openpgp_stage.cpp), then what the classify stage does next with the
// tree (the first text/plain part, transfer-decoded).
//
// Input: byte 0 = options (bit 0: tight limits derived from bits 1-7 instead of
// the configuration defaults), the rest = the message.
//
// Checked: the tree is bounded (depth <= limits.depth, entities <= limits.parts,
// every header block <= limits.header_block), every range lies inside its
// parent and the message, children are in order and do not overlap, and a
// successful scan means no line is longer than limits.line_length.
#include <string>
#include <string_view>

#include "config.h"
#include "fuzz_common.h"
#include "mime_structure.h"
#include "transfer_decoding.h"

namespace csirtgw {
namespace {

struct Walk {
  std::string_view message;
  const MimeLimits& limits;
  std::size_t entities = 0;
  std::size_t max_depth = 0;

  void visit(const MimeEntity& e, std::size_t depth, std::size_t lo, std::size_t hi) {
    FUZZ_CHECK(depth <= limits.depth, "MIME tree deeper than limits.depth");
    FUZZ_CHECK(++entities <= limits.parts, "more MIME entities than limits.parts");
    max_depth = std::max(max_depth, depth);
    FUZZ_CHECK(lo <= e.begin && e.begin <= e.body_begin && e.body_begin <= e.end && e.end <= hi,
               "entity range outside its parent");
    // headers() includes the empty line after them (CRLF at most).
    FUZZ_CHECK(e.headers(message).size() <= limits.header_block + 2, "header block over limits.header_block");
    FUZZ_CHECK(!e.content_type.type.empty() && !e.content_type.subtype.empty(), "empty content type");
    if (!e.content_type.is("message", "rfc822") && e.content_type.type != "multipart")
      FUZZ_CHECK(e.parts.empty(), "children under a leaf entity");
    std::size_t previous_end = e.body_begin;
    for (const auto& child : e.parts) {
      FUZZ_CHECK(child.begin >= previous_end, "children overlap or are out of order");
      visit(child, depth + 1, e.body_begin, e.end);
      previous_end = child.end;
    }
  }
};

const MimeEntity* first_plain_text(const MimeEntity& e) {
  if (e.content_type.is("text", "plain")) return &e;
  for (const auto& child : e.parts)
    if (const MimeEntity* found = first_plain_text(child)) return found;
  return nullptr;
}

}  // namespace
}  // namespace csirtgw

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  std::string_view message = fuzz::as_text(data, size);
  const std::uint8_t options = fuzz::take_byte(message);

  static const Config config = default_config();
  MimeLimits limits = mime_limits_from(config);  // as ClassifyStage/OpenPgpStage build them
  if (options & 1) {
    limits.depth = (options >> 1) & 7;          // 0..7
    limits.parts = 1 + ((options >> 4) & 7);    // 1..8
    limits.header_block = 64 + (options & 0x30);
    limits.line_length = 40 + (options & 0xc0);
  }

  auto scanned = scan_mime(message, limits);
  if (!scanned) {
    FUZZ_CHECK(scanned.error().kind == ErrorClass::bad_input, "scan_mime failed with a non-bad_input error");
    return 0;
  }
  std::size_t start = 0;
  while (start < message.size()) {
    auto nl = message.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? message.size() : nl + 1;
    FUZZ_CHECK(end - start <= limits.line_length, "accepted a line over limits.line_length");
    start = end;
  }
  const MimeEntity& root = scanned.value();
  FUZZ_CHECK(root.begin == 0 && root.end == message.size(), "root does not span the message");
  Walk walk{message, limits};
  walk.visit(root, 0, 0, message.size());

  if (const MimeEntity* text = first_plain_text(root)) {
    const std::string decoded = decode_transfer_encoding(text->body(message), text->transfer_encoding);
    (void)decoded;
  }
  return 0;
}
