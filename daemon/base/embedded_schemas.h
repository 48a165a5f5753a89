// The schema files that travel inside the binary (generated from schemas/ at
// build time by schemas/embed_text.cmake), so the daemon runs from anywhere on
// its embedded defaults.
#pragma once

#include <string_view>

namespace csirtgw {

std::string_view default_policy_text();       // schemas/default-policy.toml
std::string_view rsit_taxonomy_text();        // schemas/rsit-taxonomy.toml
std::string_view default_form_schema_text();  // schemas/reporting-form.toml
std::string_view default_ack_template_text(); // schemas/ack-template.txt

}  // namespace csirtgw
