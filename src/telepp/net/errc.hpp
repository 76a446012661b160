#pragma once
/// \file Error codes of the `net` domain.

#include <string>

#include "telepp/base/error.hpp"
#include "telepp/base/result.hpp"

namespace telepp::net {

enum class NetErrc : int {
  bad_options = 1,  ///< the caller's options cannot work (no trusted key, bad host, ...)
  connect_failed,   ///< the TCP connection could not be made
  timeout,          ///< connect + handshake, or a wait the caller bounded, took too long
  handshake,        ///< the auth-key handshake failed (the mtproto error is in the detail)
  closed,           ///< the connection is closed (by the peer, an I/O error, or the caller)
  protocol,         ///< the server sent something the transport or session refused; connection closed
};

/// An Error of the net domain.
inline Error net_error(NetErrc code, std::string detail) {
  return Error(ErrorDomain::net, static_cast<int>(code), std::move(detail));
}
/// `co_return net_fail(...)` converts to any Result<T>.
inline Failure net_fail(NetErrc code, std::string detail) { return fail(net_error(code, std::move(detail))); }
/// True when `e` carries the given net code.
inline bool is(const Error& e, NetErrc code) { return e.domain == ErrorDomain::net && e.code == static_cast<int>(code); }

}  // namespace telepp::net
