// The rules the pipeline works by, as one immutable snapshot: the configuration
// and the policy, reporting form and acknowledgement templates it names. Start-up, check-config and every
// reload (SIGHUP) load a whole snapshot or none: one bad file leaves the running
// rules untouched, nothing is half-applied. The filing worker takes the current
// snapshot at the start of each batch, so no batch mixes two. A snapshot is never
// changed after loading; it is shared between threads as
// std::shared_ptr<const PipelineRules> because a reload may replace it while a
// batch still works with it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ack_template.h"
#include "config.h"
#include "form_schema.h"
#include "policy.h"

namespace csirtgw {

struct PipelineRules {
  Config config;
  Policy policy;
  FormSchema form;
  AckTemplates acks;  // ack.template and each intake's ack_template
  // Each further file the pipeline reads joins as one member here and one
  // step in load_pipeline_rules().
};

struct LoadedRules {
  std::shared_ptr<const PipelineRules> rules;  // null when anything failed
  std::vector<std::string> errors;             // every one, "FILE:LINE: message"
};
// Loads and checks every file `config` names.
LoadedRules load_pipeline_rules(const Config& config);

// A reload: settings that need a restart keep their running values and are
// named in `needs_restart`; everything else, and the files, come from `wanted`.
struct ReloadedRules {
  LoadedRules loaded;
  std::vector<std::string> needs_restart;
};
ReloadedRules reload_pipeline_rules(const PipelineRules& running, Config wanted);

// One line for the log: the files and what they hold (names and counts only).
std::string describe_rules(const PipelineRules& rules);
// The detail of the audit event `config-reloaded`: a JSON object, likewise.
std::string rules_audit_detail(const PipelineRules& rules);

// The rules in force: replaced whole by a reload (on the io thread), read by
// the filing worker at the start of each batch.
class RulesInForce {
 public:
  explicit RulesInForce(std::shared_ptr<const PipelineRules> rules) : rules_(std::move(rules)) {}
  RulesInForce(const RulesInForce&) = delete;
  RulesInForce& operator=(const RulesInForce&) = delete;

  std::shared_ptr<const PipelineRules> current() const;
  void replace(std::shared_ptr<const PipelineRules> rules);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PipelineRules> rules_;
};

}  // namespace csirtgw
