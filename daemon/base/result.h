// Result<T>: errors as values at module edges (g++ 12 has no std::expected).
// An Error says what went wrong and which of the three answers it deserves:
// bad input is handled and audited, a temporary failure is deferred (4xx, retry),
// an internal failure is a broken invariant.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace csirtgw {

enum class ErrorClass {
  bad_input,  // untrusted data was wrong: answer 5xx / quarantine / audit
  temporary,  // environment (disk, SQLite busy, gpg-agent): defer, retry later
  internal,   // a broken invariant
};

struct Error {
  ErrorClass kind = ErrorClass::internal;
  std::string message;

  static Error bad_input(std::string m) { return {ErrorClass::bad_input, std::move(m)}; }
  static Error temporary(std::string m) { return {ErrorClass::temporary, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorClass::internal, std::move(m)}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace csirtgw
