// The rules snapshot the pipeline works by, replaced on reload (pipeline_rules.h).
#include "pipeline_rules.h"

#include <nlohmann/json.hpp>

#include "config_resolution.h"
#include "json_text.h"

namespace csirtgw {
namespace {

std::string origin_of(const std::string& file, const char* embedded) { return file.empty() ? embedded : file; }

}  // namespace

LoadedRules load_pipeline_rules(const Config& config) {
  LoadedRules out;
  auto rules = std::make_shared<PipelineRules>();
  rules->config = config;
  auto policy = load_policy(config);
  for (auto& e : format_config_errors(origin_of(config.policy_file, "embedded policy"), policy.errors))
    out.errors.push_back(std::move(e));
  rules->policy = std::move(policy.policy);
  auto form = load_reporting_form(config);
  if (form)
    rules->form = std::move(form.value());
  else
    out.errors.push_back(origin_of(config.form_file, "embedded form") + ": " + form.error().message);
  auto acks = load_ack_templates(config);  // its errors name the file
  if (acks)
    rules->acks = std::move(acks.value());
  else
    out.errors.push_back("acknowledgement template: " + acks.error().message);
  if (out.errors.empty()) out.rules = std::move(rules);
  return out;
}

ReloadedRules reload_pipeline_rules(const PipelineRules& running, Config wanted) {
  auto merged = config_for_reload(running.config, std::move(wanted));
  return {load_pipeline_rules(merged.config), std::move(merged.needs_restart)};
}

std::string describe_rules(const PipelineRules& rules) {
  return "policy " + origin_of(rules.config.policy_file, "(embedded)") + " (ticket prefix " +
         rules.policy.ticket_prefix + ", " + std::to_string(rules.policy.routes.size()) + " routing rules), form " +
         origin_of(rules.config.form_file, "(embedded)") + " (" + std::to_string(rules.form.fields.size()) +
         " fields)";
}

std::string rules_audit_detail(const PipelineRules& rules) {
  nlohmann::json detail = {{"policy", origin_of(rules.config.policy_file, "(embedded)")},
                           {"ticket_prefix", rules.policy.ticket_prefix},
                           {"routes", rules.policy.routes.size()},
                           {"form", origin_of(rules.config.form_file, "(embedded)")},
                           {"fields", rules.form.fields.size()}};
  return json_text(detail);
}

std::shared_ptr<const PipelineRules> RulesInForce::current() const {
  std::lock_guard lock(mutex_);
  return rules_;
}

void RulesInForce::replace(std::shared_ptr<const PipelineRules> rules) {
  std::lock_guard lock(mutex_);
  rules_.swap(rules);
  // The old snapshot is released here, after the unlock, by whoever holds it last.
}

}  // namespace csirtgw
