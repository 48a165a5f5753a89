// The rules snapshot (daemon/pipeline/pipeline_rules.cpp): loaded whole or not at all,
// every error of every file with its origin, a reload keeping what needs a
// restart, and a replaced snapshot staying valid for whoever still holds it.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "pipeline_rules.h"
#include "temp_dir.h"

namespace csirtgw {
namespace {

std::string policy_with_prefix(const std::string& prefix) {
  return "[tickets]\nprefix = \"" + prefix + "\"\n[[route]]\nname = \"all\"\nqueue = \"incident-reports\"\n";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("pipeline rules: load_pipeline_rules") {
  testing::TempDir dir("csirtgw-rules");
  const auto policy = dir.path() / "policy.toml";
  Config config = default_config();

  SUBCASE("the embedded policy and form") {
    const auto loaded = load_pipeline_rules(config);
    CHECK(loaded.errors.empty());
    REQUIRE(loaded.rules);
    CHECK(loaded.rules->policy.ticket_prefix == "XYZ-CERT");
    CHECK(!loaded.rules->form.fields.empty());
    CHECK(describe_rules(*loaded.rules).find("ticket prefix XYZ-CERT") != std::string::npos);
  }
  SUBCASE("a policy file") {
    write_file(policy, policy_with_prefix("ABC-CSIRT"));
    config.policy_file = policy.string();
    const auto loaded = load_pipeline_rules(config);
    CHECK(loaded.errors.empty());
    REQUIRE(loaded.rules);
    CHECK(loaded.rules->policy.ticket_prefix == "ABC-CSIRT");
    CHECK(rules_audit_detail(*loaded.rules).find("\"ticket_prefix\":\"ABC-CSIRT\"") != std::string::npos);
  }
  SUBCASE("every error of every file, and no snapshot") {
    write_file(policy, "[tickets]\nprefix = 7\n[[route]]\nname = \"x\"\nqueue = \"bad queue\"\n");
    config.policy_file = policy.string();
    config.form_file = (dir.path() / "missing-form.toml").string();
    const auto loaded = load_pipeline_rules(config);
    CHECK(!loaded.rules);
    REQUIRE(loaded.errors.size() == 3);
    CHECK(loaded.errors[0].rfind(policy.string() + ":2: ", 0) == 0);
    CHECK(loaded.errors[1].rfind(policy.string() + ":3: ", 0) == 0);
    CHECK(loaded.errors[2].rfind(config.form_file + ": ", 0) == 0);
  }
  SUBCASE("an unreadable policy file") {
    config.policy_file = (dir.path() / "nowhere.toml").string();
    const auto loaded = load_pipeline_rules(config);
    CHECK(!loaded.rules);
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0] == config.policy_file + ": cannot read " + config.policy_file);
  }
}

TEST_CASE("pipeline rules: reload_pipeline_rules") {
  testing::TempDir dir("csirtgw-rules");
  const auto policy = dir.path() / "policy.toml";
  write_file(policy, policy_with_prefix("OLD-CERT"));
  Config config = default_config();
  config.policy_file = policy.string();
  const auto running = load_pipeline_rules(config);
  REQUIRE(running.rules);

  SUBCASE("a new policy, a new batch size and a new listener") {
    write_file(policy, policy_with_prefix("NEW-CERT"));
    Config wanted = config;
    wanted.worker_batch = 5;
    wanted.smtp = "127.0.0.1:2626";
    const auto reloaded = reload_pipeline_rules(*running.rules, wanted);
    REQUIRE(reloaded.loaded.rules);
    CHECK(reloaded.loaded.rules->policy.ticket_prefix == "NEW-CERT");
    CHECK(reloaded.loaded.rules->config.worker_batch == 5);
    CHECK(reloaded.loaded.rules->config.smtp == config.smtp);
    CHECK(reloaded.needs_restart == std::vector<std::string>{"listen.smtp"});
  }
  SUBCASE("a broken policy: nothing") {
    write_file(policy, "[tickets\n");
    const auto reloaded = reload_pipeline_rules(*running.rules, config);
    CHECK(!reloaded.loaded.rules);
    REQUIRE(reloaded.loaded.errors.size() == 1);
    CHECK(reloaded.loaded.errors[0].rfind(policy.string() + ":1: ", 0) == 0);
    CHECK(running.rules->policy.ticket_prefix == "OLD-CERT");
  }
}

TEST_CASE("pipeline rules: RulesInForce") {
  auto first = load_pipeline_rules(default_config()).rules;
  REQUIRE(first);
  RulesInForce in_force(first);
  auto held = in_force.current();  // a batch in progress
  CHECK(held == first);

  Config config = default_config();
  config.worker_batch = 1;
  auto second = load_pipeline_rules(config).rules;
  REQUIRE(second);
  first.reset();
  in_force.replace(second);
  CHECK(in_force.current() == second);
  // The batch still works with its own snapshot, intact.
  CHECK(held->config.worker_batch == default_config().worker_batch);
  CHECK(held->policy.ticket_prefix == "XYZ-CERT");
}

}  // namespace csirtgw
