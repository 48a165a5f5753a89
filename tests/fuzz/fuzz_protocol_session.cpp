// The SMTP/LMTP state machine (daemon/intake/protocol_session.h) fed arbitrary bytes,
// driven as daemon/intake/intake_server.cpp drives it.
//
// Input: byte 0 = options (bit 0: LMTP, bits 1-2: store outcome, bit 3: tight
// limits), bytes 1-2 = split position (little endian, modulo the stream length
// + 1), the rest = the client's byte stream.
//
// Property: the replies, stored bodies, envelopes and events are the same when
// the stream arrives whole and when it arrives in two chunks split at that
// position (the header's "results do not depend on how the input is split").
// Also checked on every run: the feed() contract (consumed <= input, `none`
// consumes everything, body bytes only inside DATA, progress), no bare CR/LF in
// a stored body (smuggling), no recipient that is not an intake (relaying).
#include <string>
#include <string_view>
#include <vector>

#include "envelope_address.h"
#include "fuzz_common.h"
#include "protocol_session.h"

namespace csirtgw {
namespace {

std::optional<std::string> intake_lookup(std::string_view address) {
  const std::string lower = lowercase_address(std::string(address));
  for (const char* name : {"cert", "abuse", "vuln"})
    if (lower == std::string(name) + "@csirt.example") return std::string(name);
  return std::nullopt;
}

struct Stored {
  std::string envelope;
  std::string body;
  bool operator==(const Stored&) const = default;
};

struct Transcript {
  std::string replies;
  std::vector<Stored> stored;
  std::vector<int> events;
  bool closed = false;
  bool operator==(const Transcript&) const = default;
};

void check_body(const std::string& body) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n') FUZZ_CHECK(i > 0 && body[i - 1] == '\r', "bare LF in a stored body");
    if (body[i] == '\r') FUZZ_CHECK(i + 1 < body.size() && body[i + 1] == '\n', "bare CR in a stored body");
  }
}

std::string describe(const Envelope& envelope) {
  std::string out = envelope.helo + "|<" + envelope.sender + "> ->";
  for (const auto& r : envelope.recipients) {
    FUZZ_CHECK(intake_lookup(r.address) == r.intake, "recipient that is not a configured intake");
    out += " " + r.address + "/" + r.intake;
  }
  return out;
}

Transcript run(Protocol protocol, const ProtocolLimits& limits, StoreOutcome outcome,
               const std::vector<std::string_view>& chunks) {
  ProtocolSession session(protocol, limits, intake_lookup, "gw.test");
  Transcript t;
  t.replies = session.greeting();
  std::string body;
  bool in_message = false;
  for (std::string_view input : chunks) {
    std::size_t steps = 0;
    while (!input.empty()) {
      FUZZ_CHECK(++steps <= 2 * input.size() + 16, "feed() makes no progress");
      std::string step_body;
      const auto step = session.feed(input, t.replies, step_body);
      FUZZ_CHECK(step.consumed <= input.size(), "consumed more than given");
      input.remove_prefix(step.consumed);
      if (in_message) body += step_body;
      else FUZZ_CHECK(step_body.empty(), "body bytes outside DATA");
      // `none` also ends every chunk, so it is not part of the compared result.
      if (step.event != SessionEvent::none) t.events.push_back(static_cast<int>(step.event));
      switch (step.event) {
        case SessionEvent::none:
          FUZZ_CHECK(input.empty(), "`none` left input unconsumed");
          break;
        case SessionEvent::data_started:
          FUZZ_CHECK(!in_message, "data_started twice");
          in_message = true;
          body.clear();
          break;
        case SessionEvent::message_complete:
          FUZZ_CHECK(in_message, "message_complete outside DATA");
          check_body(body);
          FUZZ_CHECK(session.header_block().size() <= limits.header_block, "header block over its limit");
          FUZZ_CHECK(body.size() <= limits.message_size + 2, "message over its size limit");
          t.stored.push_back({describe(session.envelope()), body});
          in_message = false;
          session.message_stored(outcome, "SPOOLID", t.replies);
          break;
        case SessionEvent::message_rejected:
          FUZZ_CHECK(in_message, "message_rejected outside DATA");
          in_message = false;
          break;
        case SessionEvent::close:
          t.closed = true;
          return t;
      }
    }
  }
  FUZZ_CHECK(t.replies.empty() || t.replies.ends_with("\r\n"), "a reply not ending in CRLF");
  return t;
}

}  // namespace
}  // namespace csirtgw

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  std::string_view input = fuzz::as_text(data, size);
  const std::uint8_t options = fuzz::take_byte(input);
  std::size_t split = fuzz::take_byte(input);
  split |= static_cast<std::size_t>(fuzz::take_byte(input)) << 8;
  split %= input.size() + 1;

  const Protocol protocol = (options & 1) ? Protocol::lmtp : Protocol::smtp;
  const StoreOutcome outcomes[] = {StoreOutcome::stored, StoreOutcome::duplicate, StoreOutcome::temporary_failure,
                                   StoreOutcome::stored};
  const StoreOutcome outcome = outcomes[(options >> 1) & 3];
  ProtocolLimits limits;  // the daemon's defaults (config.cpp)
  if (options & 8) {      // tight, so that every limit is reachable by small inputs
    limits.command_line = 64;
    limits.text_line = 80;
    limits.header_block = 256;
    limits.message_size = 1024;
    limits.recipients = 3;
    limits.bad_commands = 4;
  }

  const Transcript whole = run(protocol, limits, outcome, {input});
  const Transcript two = run(protocol, limits, outcome, {input.substr(0, split), input.substr(split)});
  if (!(whole == two)) {
    std::fprintf(stderr, "split at %zu changes the result\n--- whole replies:\n%s\n--- split replies:\n%s\n", split,
                 whole.replies.c_str(), two.replies.c_str());
    FUZZ_CHECK(whole.stored == two.stored, "stored messages differ");
    FUZZ_CHECK(whole.replies == two.replies, "replies differ");
    FUZZ_CHECK(whole.closed == two.closed, "close differs");
    FUZZ_CHECK(whole.events == two.events, "event sequences differ");
  }
  return 0;
}
