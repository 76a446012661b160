#pragma once
/// \file The auth-key handshake (mtproto/handshake/client_handshake.hpp) run over a connection.

// NOTE: a standard header before any Asio header: Asio's config picks its allocator from
// libstdc++'s macros, and TUs that disagree break the ODR (see README.md).
#include <cstddef>

#include <asio/awaitable.hpp>

#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/mtproto/handshake/client_handshake.hpp"
#include "telepp/net/framed_socket.hpp"

namespace telepp::net {

/// Runs one handshake on `socket` (nothing else may use it meanwhile) and returns the key, the
/// first salt and the server's clock offset. Errors: `handshake` (a check failed: the mtproto
/// error in the detail), or the socket's `closed` / `protocol`. After an error the connection
/// should be dropped.
asio::awaitable<Result<mtproto::handshake::ClientHandshakeResult>> exchange_key(
    FramedSocket& socket, mtproto::handshake::ClientHandshakeConfig config, Entropy& entropy);

}  // namespace telepp::net
