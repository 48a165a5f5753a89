// Move-only RAII wrappers over sqlite3* and sqlite3_stmt*, with errors as values.
// SQL only ever goes through bound parameters. SQLITE_BUSY/LOCKED, I/O and
// disk-full errors are temporary (the caller defers); others are internal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace csirtgw {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t number);
  Statement& bind_null(int index);

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for statements without rows).
  Status run();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* stmt) const;
  };
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

class Database {
 public:
  enum class Mode { read_write, read_only };
  static Result<Database> open(const std::string& path, Mode mode);

  Result<Statement> prepare(std::string_view sql);
  Status exec(std::string_view sql);  // statements without parameters
  Result<std::string> pragma_text(std::string_view pragma);

  sqlite3* handle() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Close> db_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
  bool open_ = true;
};

Error sqlite_error(sqlite3* db, int code, std::string_view what);

}  // namespace csirtgw
