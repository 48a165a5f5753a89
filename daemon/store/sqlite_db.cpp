// RAII over sqlite3 handles, errors as values (sqlite_db.h).
#include "sqlite_db.h"

#include <sqlite3.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace csirtgw {

Error sqlite_error(sqlite3* db, int code, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
      return Error::temporary(std::move(message));
    default:
      return Error::internal(std::move(message));
  }
}

int sqlite3_changes_count(Database& db) { return sqlite3_changes(db.handle()); }
std::int64_t sqlite3_last_insert_id(Database& db) { return sqlite3_last_insert_rowid(db.handle()); }

struct StatementCache {
  std::unordered_map<std::string, sqlite3_stmt*> statements;
  std::unordered_set<sqlite3_stmt*> in_use;
};

void Statement::Release::operator()(sqlite3_stmt* stmt) const {
  if (cache) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    cache->in_use.erase(stmt);
  } else {
    sqlite3_finalize(stmt);
  }
}

Database::Database() : cache_(std::make_unique<StatementCache>()) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() {
  if (cache_)
    for (auto& [sql, stmt] : cache_->statements) sqlite3_finalize(stmt);
}
void Database::Close::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, std::int64_t number) {
  sqlite3_bind_int64(stmt_.get(), index, number);
  return *this;
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(sqlite3_db_handle(stmt_.get()), rc, "sqlite step");
}

Status Statement::run() {
  while (true) {
    auto row = step();
    if (!row) return row.error();
    if (!row.value()) return ok_status();
  }
}

std::string Statement::text(int column) const {
  auto* p = sqlite3_column_text(stmt_.get(), column);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_.get(), column)) : std::string{};
}
std::string Statement::blob(int column) const {
  auto* p = sqlite3_column_blob(stmt_.get(), column);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_.get(), column)) : std::string{};
}
std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

Result<Database> Database::open(const std::string& path, Mode mode, std::mutex* write_gate) {
  sqlite3* raw = nullptr;
  int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);
  db.write_gate_ = write_gate;
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "open " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Result<Statement> Database::prepare(std::string_view sql) {
  const std::string key(sql);
  auto found = cache_->statements.find(key);
  if (found != cache_->statements.end() && !cache_->in_use.count(found->second)) {
    cache_->in_use.insert(found->second);
    return Statement(found->second, cache_.get());
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, "prepare");
  if (found != cache_->statements.end()) return Statement(stmt, nullptr);  // the cached one is busy: a one-off
  cache_->statements.emplace(key, stmt);
  cache_->in_use.insert(stmt);
  return Statement(stmt, cache_.get());
}

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, "exec");
  return ok_status();
}

Result<std::string> Database::pragma_text(std::string_view pragma) {
  auto stmt = prepare("PRAGMA " + std::string(pragma));
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!row.value()) return std::string{};
  return stmt->text(0);
}

Result<Transaction> Transaction::begin(Database& db) {
  std::unique_lock<std::mutex> gate;
  if (db.write_gate()) gate = std::unique_lock<std::mutex>(*db.write_gate());
  if (auto st = db.exec("BEGIN IMMEDIATE"); !st) return st.error();
  return Transaction(db, std::move(gate));
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), gate_(std::move(other.gate_)), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  if (open_) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  auto st = db_->exec("COMMIT");
  if (st) {
    open_ = false;
    if (gate_.owns_lock()) gate_.unlock();
  }
  return st;
}

}  // namespace csirtgw
