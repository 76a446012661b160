#pragma once
/// \file The local MTProto test server: N DCs on consecutive loopback ports, every transport on
/// every port, the genuine handshake and encryption, and a slice of the API with real state.
/// It runs its own event-loop thread; the methods here may be called from any thread.

#include <cstdint>
#include <memory>
#include <string>

#include "telepp/base/result.hpp"
#include "telepp/server/server_config.hpp"

namespace telepp::server {

class Server {
 public:
  /// Loads or creates the RSA key, binds every DC's port and starts serving. Errors: the key
  /// file cannot be read or written, a port cannot be bound.
  static Result<std::unique_ptr<Server>> start(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Stops accepting, closes connections and joins the event loop (idempotent).
  void stop();

  std::string host() const;
  /// The port of DC `dc` (1-based).
  std::uint16_t port(int dc = 1) const;
  int dcs() const;
  /// The RSA key's MTProto fingerprint as 16 lowercase hex digits.
  std::string fingerprint_hex() const;
  /// The public key as PEM (PKCS#1 "RSA PUBLIC KEY"), what clients are given.
  std::string public_key_pem() const;
  /// Replaces the test knobs (flood waits, drops, delays) for new queries.
  void set_knobs(Knobs knobs);
  /// Number of auth keys the DC knows (for tests).
  std::size_t auth_key_count(int dc = 1) const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace telepp::server
