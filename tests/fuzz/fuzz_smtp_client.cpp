// The outbound SMTP client's protocol side (daemon/outbound/smtp_reply.h,
// daemon/outbound/smtp_dialogue.h) against an arbitrary, hostile smarthost: the input
// is everything the server says, cut into reads at arbitrary points.
//
// Input: byte 0 = how many mails (1-4), byte 1 = read size (1-256); the rest =
// the server's bytes.
//
// Checked: every mail gets exactly one result, in order; nothing is sent once
// the dialogue is finished; every result's text is one line of printable ASCII
// of bounded length (it goes into the audit log); a malformed reply ends the
// session with every open mail temporary.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_common.h"
#include "smtp_dialogue.h"
#include "smtp_reply.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  std::string_view server = fuzz::as_text(data, size);
  const std::size_t mail_count = 1 + fuzz::take_byte(server) % 4;
  const std::size_t read_size = 1 + fuzz::take_byte(server);

  const std::string helo = "csirtgw.localhost";
  std::vector<OutgoingMail> mails;
  for (std::size_t i = 0; i < mail_count; ++i)
    mails.push_back({"r" + std::to_string(i) + "@example.org", "Subject: x\r\n\r\n.line\r\nbody\r\n"});
  SmtpDialogue dialogue(helo, mails);
  ReplyParser parser;
  std::vector<MailResult> results;

  while (!server.empty() && !dialogue.finished()) {
    std::string_view chunk = server.substr(0, read_size);
    while (!chunk.empty() && !dialogue.finished()) {
      const auto step = parser.feed(chunk);
      FUZZ_CHECK(step.consumed <= chunk.size(), "consumed more than given");
      if (step.status == ReplyParser::Status::malformed) {
        dialogue.on_failure("malformed reply: " + parser.problem(), results);
        break;
      }
      if (step.status == ReplyParser::Status::incomplete) {
        FUZZ_CHECK(step.consumed == chunk.size(), "incomplete without taking all input");
        chunk = {};
        break;
      }
      chunk.remove_prefix(step.consumed);
      const SmtpReply reply = parser.take_reply();
      FUZZ_CHECK(reply.code >= 200 && reply.code <= 599, "reply code out of range");
      const std::string next = dialogue.on_reply(reply, results);
      if (dialogue.finished()) FUZZ_CHECK(next.empty() || next == "QUIT\r\n", "sent more after finishing");
    }
    if (dialogue.finished()) break;
    server.remove_prefix(std::min(server.size(), read_size));
  }
  if (!dialogue.finished()) dialogue.on_failure("connection closed", results);

  FUZZ_CHECK(results.size() == mails.size(), "a mail without exactly one result");
  for (std::size_t i = 0; i < results.size(); ++i) {
    FUZZ_CHECK(results[i].index == i, "results out of order");
    const std::string& text = results[i].result.reply;
    FUZZ_CHECK(text.size() <= 400, "result text not bounded");
    for (unsigned char c : text) FUZZ_CHECK(c >= 0x20 && c < 0x7f, "result text not printable ASCII");
  }
  return 0;
}
