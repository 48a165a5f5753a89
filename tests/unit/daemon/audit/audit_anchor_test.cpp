// The audit anchor record format (daemon/audit/audit_anchor.h), without gpg: records
// read back as written; a record cut at any octet is torn (and the records
// before it stay whole); damaged records are refused with the record and line,
// never taken for torn ones; anchor_record() writes nothing the reader refuses.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "audit_anchor.h"

namespace csirtgw {
namespace {

const std::string kSignature =
    "-----BEGIN PGP SIGNATURE-----\n"
    "\n"
    "iHUEABYKAB0WIQTa0b4ZzJ2KcNq2m9nE1xJb6V3kIQUCZ3AbCgAKCRDE1xJb6V3k\n"
    "IXyZAQDk3n5x2LwZ2m8pQ8G9qv3g3b1dK8M2aQpHq3uY1s0r7wEA2xk4f0T8rG1o\n"
    "=Qx3b\n"
    "-----END PGP SIGNATURE-----\n";

AuditAnchor sample(std::int64_t seq = 42) {
  return {seq, std::string(64, 'a'), "2026-12-04T19:20:00.123456Z", std::string(40, 'B')};
}

std::string record_of(const AuditAnchor& anchor, const std::string& signature = kSignature) {
  auto record = anchor_record(anchor, signature);
  REQUIRE_MESSAGE(record.ok(), record.error().message);
  return record.value();
}

}  // namespace

TEST_CASE("audit anchor: a record reads back as written") {
  const AuditAnchor anchor = sample();
  const std::string record = record_of(anchor);
  CHECK(record == "csirtgw-audit-anchor: 1\n"
                  "seq: 42\n"
                  "head: " + std::string(64, 'a') + "\n"
                  "signed-at: 2026-12-04T19:20:00.123456Z\n"
                  "key: " + std::string(40, 'B') + "\n" + kSignature + "\n");
  CHECK(anchor_statement(anchor) == record.substr(0, record.find("-----BEGIN")));

  const ParsedAnchors parsed = parse_anchor_file(record + record_of(sample(43)) + "\n\n" + record_of(sample(44)));
  CHECK_FALSE(parsed.problem);
  CHECK_FALSE(parsed.torn_tail);
  REQUIRE(parsed.records.size() == 3);
  const int first_lines[] = {1, 13, 27};  // 12 lines a record, 2 more empty ones
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    const AnchorRecord& r = parsed.records[i];
    CHECK(r.anchor.seq == 42 + static_cast<std::int64_t>(i));
    CHECK(r.anchor.head_hash == sample().head_hash);
    CHECK(r.anchor.signed_at == sample().signed_at);
    CHECK(r.anchor.key_fingerprint == sample().key_fingerprint);
    CHECK(r.statement == anchor_statement(sample(r.anchor.seq)));
    CHECK(r.signature == kSignature);
    CHECK(r.line == first_lines[i]);
  }
}

TEST_CASE("audit anchor: an empty file has no anchors and no problem") {
  for (const std::string text : {"", "\n", "\n\n\n"}) {
    const ParsedAnchors parsed = parse_anchor_file(text);
    CHECK(parsed.records.empty());
    CHECK_FALSE(parsed.problem);
    CHECK(parsed.complete_length == text.size());
  }
}

TEST_CASE("audit anchor: anchor_record writes only what reads back") {
  struct Row {
    const char* name;
    AuditAnchor anchor;
    std::string signature;
    bool ok;
  };
  AuditAnchor upper_head = sample(), short_head = sample(), lower_key = sample(), bad_time = sample(),
              zero_seq = sample(0), newline_time = sample();
  upper_head.head_hash = std::string(64, 'A');
  short_head.head_hash = std::string(63, 'a');
  lower_key.key_fingerprint = std::string(40, 'b');
  bad_time.signed_at = "2026-12-04 19:20:00Z";
  newline_time.signed_at = "2026-12-04T19:20:00.123456Z\nseq: 1";
  const std::string crlf_signature = [] {
    std::string out;
    for (char c : kSignature) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return out;
  }();
  const Row rows[] = {
      {"a good anchor", sample(), kSignature, true},
      {"CRLF armor is written with LF", sample(), crlf_signature, true},
      {"armor without its last LF", sample(), kSignature.substr(0, kSignature.size() - 1), true},
      {"upper-case head", upper_head, kSignature, false},
      {"short head", short_head, kSignature, false},
      {"lower-case key", lower_key, kSignature, false},
      {"time in another shape", bad_time, kSignature, false},
      {"a line break in a field", newline_time, kSignature, false},
      {"seq 0", zero_seq, kSignature, false},
      {"no signature", sample(), "", false},
      {"not armor", sample(), "iHUEABYKAB0WIQ\n", false},
      {"two signature blocks", sample(), kSignature + kSignature, false},
      {"a message, not a signature", sample(), "-----BEGIN PGP MESSAGE-----\n\nabc\n-----END PGP MESSAGE-----\n", false},
      {"no END line", sample(), kSignature.substr(0, kSignature.find("-----END")), false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto record = anchor_record(row.anchor, row.signature);
    CHECK(record.ok() == row.ok);
    if (!record.ok()) continue;
    CHECK(record->find('\r') == std::string::npos);
    const ParsedAnchors parsed = parse_anchor_file(record.value());
    CHECK_FALSE(parsed.problem);
    REQUIRE(parsed.records.size() == 1);
    CHECK(parsed.records[0].signature == kSignature);
  }
}

TEST_CASE("audit anchor: a record cut at any octet is torn, the ones before it whole") {
  const std::string first = record_of(sample(1));
  const std::string last = record_of(sample(2));
  // Cut anywhere inside the last record: from its first octet to before its END line's LF.
  const std::size_t end_line_lf = last.rfind("-----\n") + 5;
  for (std::size_t cut = 1; cut < last.size(); ++cut) {
    CAPTURE(cut);
    const ParsedAnchors parsed = parse_anchor_file(first + last.substr(0, cut));
    REQUIRE(parsed.records.size() >= 1);
    CHECK(parsed.records[0].anchor.seq == 1);
    if (cut >= end_line_lf) {
      // The END line is there (its LF perhaps not): the record is whole.
      CHECK_FALSE(parsed.problem);
      CHECK(parsed.records.size() == 2);
      continue;
    }
    CHECK(parsed.torn_tail);
    REQUIRE(parsed.problem);
    CHECK_MESSAGE(parsed.problem->find("anchor 2 (line") == 0, *parsed.problem);
    CHECK_MESSAGE(parsed.problem->find("incomplete") != std::string::npos, *parsed.problem);
    CHECK(parsed.records.size() == 1);
    CHECK(parsed.complete_length == first.size());
  }
}

TEST_CASE("audit anchor: damaged records are refused, with record and line") {
  const std::string good = record_of(sample(1));
  const std::string second = record_of(sample(2));
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = second;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return good + text.replace(at, from.size(), to);
  };
  struct Row {
    const char* name;
    std::string text;
    const char* problem;  // the start of the problem
  };
  const Row rows[] = {
      {"another format version", replaced("csirtgw-audit-anchor: 1", "csirtgw-audit-anchor: 2"),
       "anchor 2 (line 13): expected \"csirtgw-audit-anchor: 1\""},
      {"garbage where a record starts", good + "hello\n", "anchor 2 (line 13): expected"},
      {"garbage without LF at the end", good + "hello", "anchor 2 (line 13): expected"},
      {"seq 0", replaced("seq: 2", "seq: 0"), "anchor 2 (line 14): expected \"seq: <number from 1>\""},
      {"seq with a leading zero", replaced("seq: 2", "seq: 02"), "anchor 2 (line 14): expected \"seq:"},
      {"negative seq", replaced("seq: 2", "seq: -2"), "anchor 2 (line 14): expected \"seq:"},
      {"seq too large", replaced("seq: 2", "seq: 9999999999999999999"), "anchor 2 (line 14): expected \"seq:"},
      {"fields in another order", replaced("seq: 2\nhead: ", "head: "), "anchor 2 (line 14): expected \"seq:"},
      {"upper-case head", replaced(std::string(64, 'a'), std::string(64, 'A')), "anchor 2 (line 15): expected \"head:"},
      {"time without microseconds", replaced(".123456Z", "Z"), "anchor 2 (line 16): expected \"signed-at:"},
      {"short key", replaced(std::string(40, 'B'), std::string(39, 'B')), "anchor 2 (line 17): expected \"key:"},
      {"no signature", replaced("-----BEGIN PGP SIGNATURE-----", "iHUE"),
       "anchor 2 (line 18): expected \"-----BEGIN PGP SIGNATURE-----\""},
      {"a control character in the signature", replaced("=Qx3b", "=Qx\x1b" "b"),
       "anchor 2 (line 22): not a line of an armored signature: \"=Qx\\x1bb\""},
      {"non-ASCII in the signature", replaced("=Qx3b", "=Qx\xc3\xa9"), "anchor 2 (line 22): not a line of"},
      {"a damaged END line before another record",
       replaced("-----END PGP SIGNATURE-----", "-----END PGP SIGNATUR") + record_of(sample(3)),
       "anchor 2 (line 23): the signature block ends without"},
      {"a record inside a signature block", replaced("=Qx3b\n", "=Qx3b\ncsirtgw-audit-anchor: 1\n"),
       "anchor 2 (line 23): the signature block ends without"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const ParsedAnchors parsed = parse_anchor_file(row.text);
    REQUIRE(parsed.problem);
    CHECK_MESSAGE(parsed.problem->rfind(row.problem, 0) == 0, *parsed.problem);
    CHECK_FALSE(parsed.torn_tail);
    REQUIRE(parsed.records.size() == 1);  // the good one before it
    CHECK(parsed.complete_length == good.size());
  }
}

}  // namespace csirtgw
