# Turns schemas/migrations/NNNN_*.sql into a C++ source with one string per
# migration, in order, so the binary carries its own schema.
file(GLOB sql_files "${SRC_DIR}/*.sql")
list(SORT sql_files)
set(body "// Generated from schemas/migrations by schemas/embed_migrations.cmake.\n#include \"migrations.h\"\nnamespace csirtgw {\nconst std::vector<std::string_view>& schema_migrations() {\n  static const std::vector<std::string_view> kMigrations = {\n")
foreach(f IN LISTS sql_files)
  file(READ "${f}" sql)
  string(APPEND body "    R\"csirtgw_sql(${sql})csirtgw_sql\",\n")
endforeach()
string(APPEND body "  };\n  return kMigrations;\n}\n}  // namespace csirtgw\n")
file(WRITE "${OUT_FILE}.tmp" "${body}")
file(COPY_FILE "${OUT_FILE}.tmp" "${OUT_FILE}" ONLY_IF_DIFFERENT)
