// The store's schema migrations, embedded from schemas/migrations/*.sql at build
// time: migration i (0-based) brings the database to user_version i + 1.
#pragma once

#include <string_view>
#include <vector>

namespace csirtgw {
const std::vector<std::string_view>& schema_migrations();
}
