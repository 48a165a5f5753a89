// The content stages (filters/content_stages.cpp): the list the daemon's chain
// and the whole-chain fuzz target share, in its order — forged status headers
// go before classification reads the message, routing comes last.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config.h"
#include "content_stages.h"
#include "pipeline_rules.h"

namespace csirtgw {

TEST_CASE("content stages: strip, classify, route, in that order") {
  const LoadedRules loaded = load_pipeline_rules(default_config());
  REQUIRE(loaded.rules != nullptr);
  FilterChain chain;
  append_content_stages(chain, loaded.rules->policy, loaded.rules->form, loaded.rules->config);
  std::vector<std::string> names;
  for (const auto& stage : chain) names.emplace_back(stage->name());
  CHECK(names == std::vector<std::string>{"strip-status-headers", "classify", "route"});

  Report report;
  report.recipients = {{"cert@csirt.example", "cert"}};
  report.raw_message = "X-Csirtgw-Queue: quarantine\r\nSubject: scan\r\n\r\nssh scanning from 192.0.2.1\r\n";
  for (const auto& stage : chain) CHECK(stage->process(report).verdict == FilterVerdict::proceed);
  CHECK(report.message().find("X-Csirtgw-Queue") == std::string_view::npos);
  CHECK(report.queue != "quarantine");
}

}  // namespace csirtgw
