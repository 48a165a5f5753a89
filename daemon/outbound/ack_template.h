// Acknowledgement templates: a subject line and a body with placeholders for
// the ticket, the team and its promises (RFC 2350 Appendix E: "some response
// will be made within one working day"). There is no placeholder for anything
// from the report, so no template can make an acknowledgement quote one.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "config.h"
#include "result.h"

namespace csirtgw {

struct AckTemplate {
  std::string subject;  // without the "[PREFIX #N] " tag, which is always put first
  std::string body;     // LF line ends
};

struct AckValues {
  std::string ticket;  // "XYZ-CERT #42"
  std::string team;
  std::string team_address;
  std::string response_time;
  std::string hours;
};

// Parses a template: '#' comment lines, "Subject: ...", a blank line, the body.
// Unknown placeholders, a missing subject or bytes that are not UTF-8 text are errors.
Result<AckTemplate> parse_ack_template(std::string_view text);
// `file` empty: the embedded default (schemas/ack-template.txt).
Result<AckTemplate> load_ack_template(const std::string& file);

struct RenderedAck {
  std::string subject;  // "[XYZ-CERT #42] Your report has been received"
  std::string body;
};
RenderedAck render_ack(const AckTemplate& ack_template, const AckValues& values);

// The templates of every intake, loaded once (and again on reload).
struct AckTemplates {
  AckTemplate fallback;                       // ack.template
  std::map<std::string, AckTemplate> intake;  // intake name -> its own ack_template
  const AckTemplate& for_intake(const std::string& name) const;
};
// Errors name the file that is wrong.
Result<AckTemplates> load_ack_templates(const Config& config);

}  // namespace csirtgw
