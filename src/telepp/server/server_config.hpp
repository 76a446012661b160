#pragma once
/// \file What `telepp serve` (and the embedded server) is told at start.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace telepp::server {

/// Test-only behaviour for client tests (also settable at run time, see `Server::set_knobs`).
struct Knobs {
  std::map<std::string, int> flood_wait;  ///< method name → seconds: answer FLOOD_WAIT_<s>
  int drop_after = 0;                     ///< close a connection after this many messages (0: never)
  int delay_ms = 0;                       ///< wait this long before answering each query
};

struct ServerConfig {
  std::string host = "127.0.0.1";  ///< loopback unless told otherwise (it has no real authentication)
  std::uint16_t port = 0;          ///< DC 1's port; DC i listens on port + i - 1 (0: any free ports)
  int dcs = 3;
  std::string rsa_key_path;        ///< PEM private key, created if missing (empty: data_dir/server.pem with a data_dir, else a fresh key in memory)
  std::string public_key_out;      ///< write the public key here as PEM (PKCS#1), if set
  std::string data_dir;            ///< SQLite state under this folder, kept across restarts (empty: in memory); see persistence.hpp
  /// Registered api_id → api_hash. Empty: any api_id > 0 is accepted.
  std::map<std::int32_t, std::string> api_ids;
  /// An MTProxy secret (hex or base64url, `dd…`/`ee…` forms included): every port then also
  /// accepts obfuscated2 keyed with it, beside the plain DC protocols. Empty: none.
  std::string proxy_secret;
  Knobs knobs;
  bool log_queries = false;        ///< one line per query, in the dynamic JSON form
};

}  // namespace telepp::server
