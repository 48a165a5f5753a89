// Documents generated from the one place each thing is declared, at build time
// (see CMakeLists.txt), so they can never drift from the binary:
//   `csirtgw config-template`  every setting commented out, with its default
//   `csirtgw man 5`            csirtgw.conf(5), from describe_settings()
//   `csirtgw man 8`            csirtgw(8), from the CLI11 command tree
// These only print; they read no configuration and touch no state.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace csirtgw {

// `overrides`: "table.key=value" settings written uncommented (a packaged
// default such as paths.state_dir=/var/lib/csirtgw). Exit 2 on an unknown key.
int run_config_template(const std::vector<std::string>& overrides);
// section 5: the configuration file; section 8: the commands of `app`.
int run_man(const CLI::App& app, int section);

}  // namespace csirtgw
