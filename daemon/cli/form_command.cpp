// `csirtgw form`: prints the blank reporting form reporters fill in, from a
// schema file or from the schema embedded in the binary. Read-only; a broken
// schema is reported with its lines and exit code 1, nothing is printed on
// stdout then.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "commands.h"
#include "embedded_schemas.h"
#include "form_schema.h"

namespace csirtgw {

int run_form(const std::optional<std::string>& schema_file) {
  auto schema = schema_file ? load_form_schema(*schema_file) : parse_form_schema(default_form_schema_text());
  if (!schema) {
    const std::string origin = schema_file ? *schema_file : std::string("embedded reporting form");
    std::string_view message = schema.error().message;
    while (!message.empty()) {
      const auto end = message.find('\n');
      std::fprintf(stderr, "csirtgw: %s: %.*s\n", origin.c_str(), static_cast<int>(message.substr(0, end).size()),
                   message.data());
      if (end == std::string_view::npos) break;
      message.remove_prefix(end + 1);
    }
    return 1;
  }
  const std::string form = render_blank_form(schema.value());
  std::fwrite(form.data(), 1, form.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 2;
}

}  // namespace csirtgw
