#pragma once
/// \file `Connection`: one MTProto connection to one DC, from the client's seat: TCP, a transport,
/// an auth key (agreed or reused), and an `mtproto::ClientSession` driven by coroutines.

// NOTE: a standard header before any Asio header: Asio's config picks its allocator from
// libstdc++'s macros, and TUs that disagree break the ODR (see README.md).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>

#include "telepp/base/bytes.hpp"
#include "telepp/base/error.hpp"
#include "telepp/base/result.hpp"
#include "telepp/mtproto/auth_key.hpp"
#include "telepp/mtproto/client_session.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::net {

/// An auth key with what a new session on it needs, e.g. from an earlier connection.
struct SavedKey {
  mtproto::AuthKey key;
  std::uint64_t salt = 0;
  Duration time_offset{0};  ///< server time minus local time
};

/// Where and how to connect.
struct ConnectOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::int32_t dc_id = 1;  ///< sent in the handshake's inner data
  mtproto::transport::ClientOptions transport{};
  /// The server keys trusted for the handshake, as PEM (one or more blocks). Needed unless `key`.
  std::string server_keys_pem;
  /// Reuse this key instead of running a handshake.
  std::optional<SavedKey> key;
  mtproto::ClientSessionConfig session{};
  /// Connect and handshake together must finish within this.
  std::chrono::milliseconds connect_timeout{10000};
};

/// What the server answered a query with: the result, or an rpc_error.
struct InvokeResult {
  Bytes answer;                           ///< the boxed result (gzip unpacked); empty on rpc_error
  std::optional<RpcErrorInfo> rpc_error;  ///< set when the server answered rpc_error

  bool ok() const { return !rpc_error; }
};

/// One connection. Movable; destroying it closes the connection. All calls are made from the
/// thread that runs the executor `connect` was awaited on (the coroutines run there too).
class Connection {
 public:
  /// Connects, agrees or reuses the key, and starts the session's coroutines on the current
  /// executor. Errors (net): `bad_options` (no trusted key, a transport the codec refuses),
  /// `connect_failed`, `handshake`, `timeout`, `closed`, `protocol`.
  static asio::awaitable<Result<Connection>> connect(ConnectOptions options);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  /// Sends `boxed_query` (a serialized function, wrapped as the caller likes: invokeWithLayer,
  /// initConnection, ...) and waits for its answer. Any number may run at once. Errors: `closed`
  /// (before or while waiting: the connection went away; the query may or may not have been
  /// executed), `protocol`, and the mtproto error of a request the session dropped.
  asio::awaitable<Result<InvokeResult>> invoke(Bytes boxed_query);

  /// The next message the server pushed (a boxed `Updates`, at the layer this connection
  /// initialised), oldest first, waiting at most `timeout`. One waiter at a time. Errors:
  /// `timeout`, `closed` (and none queued).
  asio::awaitable<Result<Bytes>> next_update(std::chrono::milliseconds timeout);
  /// Pushed messages received and not taken yet.
  std::size_t queued_updates() const;
  /// new_session_created notices seen (updates may have been missed: call updates.getDifference).
  int new_sessions() const;

  /// The key and current salt, to reuse on a later connection.
  SavedKey saved_key() const;
  bool is_open() const;
  /// Why the connection closed (meaningful once `!is_open()`).
  Error close_reason() const;
  /// Closes the connection: pending invokes fail with `closed`.
  void close();

  struct Impl;

 private:
  explicit Connection(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace telepp::net
