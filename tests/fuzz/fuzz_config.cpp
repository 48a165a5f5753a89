// parse_config (daemon/config/config.h) over arbitrary TOML text.
//
// Checked: never throws (toml++ does; parse_config must catch), and a
// configuration without errors is one the daemon can run on: limits ordered as
// config.cpp requires, valid listen addresses, every intake address acceptable
// as an envelope address and found again by intake_for.
#include <string>
#include <string_view>

#include "config.h"
#include "envelope_address.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace csirtgw;
  const std::string_view text = fuzz::as_text(data, size);
  const LoadedConfig loaded = parse_config(text);
  (void)listen_address_problem(text);
  for (const auto& e : loaded.errors) FUZZ_CHECK(e.line >= 0, "negative error line");
  if (!loaded.errors.empty()) return 0;

  const Config& c = loaded.config;
  FUZZ_CHECK(c.text_line <= c.header_block && c.header_block <= c.message_size, "limits out of order");
  FUZZ_CHECK(c.command_line > 0 && c.recipients > 0 && c.mime_depth > 0 && c.mime_parts > 0, "a zero limit");
  FUZZ_CHECK(!listen_address_problem(c.lmtp).has_value(), "invalid lmtp address accepted");
  FUZZ_CHECK(!listen_address_problem(c.smtp).has_value(), "invalid smtp address accepted");
  for (const auto& intake : c.intakes) {
    FUZZ_CHECK(!envelope_address_problem(intake.address).has_value(), "intake address not a valid envelope address");
    const Intake* found = c.intake_for(intake.address);
    FUZZ_CHECK(found != nullptr, "intake_for does not find a configured intake");
  }
  return 0;
}
