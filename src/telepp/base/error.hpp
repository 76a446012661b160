#pragma once
/// \file Error values shared by every layer. See ../shared/ARCHITECTURE.md, "Errors".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telepp {

/// Which layer produced an error; the code's meaning depends on it.
enum class ErrorDomain : std::uint8_t { base, crypto, tl, mtproto, storage, net, client, server, rpc };

/// Codes of the `tl` domain: why a TL value could not be read or written.
enum class TlErrc : int {
  truncated = 1,      ///< input ended before the value did
  unknown_id,         ///< a constructor ID that is not in the schema
  unexpected_id,      ///< a known constructor where another type was expected
  bad_length,         ///< a length or count that cannot be right
  too_deep,           ///< nesting beyond the decoder's limit
  bad_value,          ///< a value outside its domain (e.g. a Bool that is neither true nor false)
  missing_field,      ///< a required field was not set when writing
  trailing_bytes,     ///< bytes left over after a complete value
  schema,             ///< the schema text is malformed
  json,               ///< JSON that does not describe a valid value
};

/// An RPC error as the server sent it: `FLOOD_WAIT_31` is code 420, name `FLOOD_WAIT`, argument 31.
struct RpcErrorInfo {
  int code = 0;
  std::string name;
  std::optional<std::int64_t> argument;

  /// Splits a trailing `_<digits>` into the argument (`FLOOD_WAIT_31` → `FLOOD_WAIT`, 31).
  static RpcErrorInfo parse(int code, std::string_view message);
  /// The message as the server spelled it (`FLOOD_WAIT_31`).
  std::string message() const;
};

/// An error: the layer, a per-layer code, a detail with got/expected values, and for RPC errors
/// what the server said.
struct Error {
  ErrorDomain domain = ErrorDomain::base;
  int code = 0;
  std::string detail;
  std::optional<RpcErrorInfo> rpc;

  Error() = default;
  Error(ErrorDomain d, int c, std::string text) : domain(d), code(c), detail(std::move(text)) {}
  Error(TlErrc c, std::string text) : domain(ErrorDomain::tl), code(static_cast<int>(c)), detail(std::move(text)) {}

  /// True when this error has the given `tl` code.
  bool is(TlErrc c) const { return domain == ErrorDomain::tl && code == static_cast<int>(c); }
  /// One line for logs and CLI output, e.g. `tl error 1: at offset 12 ...`.
  std::string to_string() const;
};

std::string_view to_string(ErrorDomain d);

}  // namespace telepp
