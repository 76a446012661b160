#pragma once
/// \file `Result<T>`: a value or an `Error`, returned by every fallible call below `net`.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "telepp/base/error.hpp"

namespace telepp {

/// Wraps an Error so `return fail(...)` converts to any `Result<T>`.
struct Failure {
  Error error;
};

inline Failure fail(Error e) { return Failure{std::move(e)}; }
inline Failure fail(TlErrc c, std::string detail) { return Failure{Error(c, std::move(detail))}; }

/// A value of type T or an Error. Accessing the wrong alternative is a broken invariant (asserted).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  // Separate atoms, cheapest first: they short-circuit, so converting a Result to itself never
  // asks whether T is constructible from a Result (which recurses for catch-all constructors).
  template <class U>
    requires(!std::is_same_v<std::remove_cvref_t<U>, Result>) && (!std::is_same_v<std::remove_cvref_t<U>, Failure>) &&
            std::is_constructible_v<T, U&&>
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  Result(Failure f) : v_(std::in_place_index<1>, std::move(f.error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return *std::get_if<0>(&v_); }
  const T& value() const& { assert(ok()); return *std::get_if<0>(&v_); }
  T&& value() && { assert(ok()); return std::move(*std::get_if<0>(&v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const { assert(!ok()); return *std::get_if<1>(&v_); }
  Error&& take_error() { assert(!ok()); return std::move(*std::get_if<1>(&v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Success or an Error, for operations with no value.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : error_(std::move(f.error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { assert(failed_); return error_; }
  Error&& take_error() { assert(failed_); return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace telepp

/// Propagates a failed Result/Status from the current function.
#define TELEPP_TRY(expr)                                          \
  do {                                                            \
    if (auto telepp_try_r_ = (expr); !telepp_try_r_.ok())         \
      return ::telepp::Failure{telepp_try_r_.take_error()};       \
  } while (0)
