// Move-only RAII wrappers over sqlite3* and sqlite3_stmt*, with errors as values.
// SQL only ever goes through bound parameters. SQLITE_BUSY/LOCKED, I/O and
// disk-full errors are temporary (the caller defers); others are internal.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace csirtgw {

// The connection's cache of prepared statements (see Database::prepare).
struct StatementCache;

class Statement {
 public:
  Statement() = default;
  // `cache`: the statement belongs to it and is reset, not finalized, when done.
  Statement(sqlite3_stmt* stmt, StatementCache* cache) : stmt_(stmt, Release{cache}) {}

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t number);
  Statement& bind_null(int index);
  // Bytes compared as bytes (memcmp order), e.g. fixed-width keys for range scans.
  Statement& bind_blob(int index, std::string_view bytes);

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for statements without rows).
  Status run();

  std::string text(int column) const;
  std::string blob(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  struct Release {
    StatementCache* cache = nullptr;
    void operator()(sqlite3_stmt* stmt) const;
  };
  std::unique_ptr<sqlite3_stmt, Release> stmt_;
};

class Database {
 public:
  enum class Mode { read_write, read_only };
  // `write_gate`: connections of one process that write the same file share it,
  // so a writer waits on a mutex (woken at once) rather than sleeping in
  // SQLite's busy handler (1, 2, 5 … 100 ms) while the other commits.
  static Result<Database> open(const std::string& path, Mode mode, std::mutex* write_gate = nullptr);
  Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Prepared once per connection and SQL text, then reused: parsing SQL again
  // for every message was a visible share of the filing path's CPU.
  Result<Statement> prepare(std::string_view sql);
  Status exec(std::string_view sql);  // statements without parameters
  Result<std::string> pragma_text(std::string_view pragma);

  sqlite3* handle() const { return db_.get(); }
  std::mutex* write_gate() const { return write_gate_; }

 private:
  std::mutex* write_gate_ = nullptr;
  std::unique_ptr<StatementCache> cache_;
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
  Transaction(Database& db, std::unique_lock<std::mutex> gate) : db_(&db), gate_(std::move(gate)) {}
  Database* db_;
  std::unique_lock<std::mutex> gate_;
  bool open_ = true;
};

Error sqlite_error(sqlite3* db, int code, std::string_view what);
// Rows changed by the connection's last INSERT/UPDATE/DELETE.
int sqlite3_changes_count(Database& db);
// The rowid of the connection's last INSERT.
std::int64_t sqlite3_last_insert_id(Database& db);

}  // namespace csirtgw
