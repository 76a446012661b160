#pragma once
/// \file The server role of the auth-key handshake as a sans-IO state machine, for the local test
/// server: it consumes the client's unencrypted messages and hands back the answers, with time and
/// randomness as parameters. See https://core.telegram.org/mtproto/auth_key.
///
/// Flow: req_pq_multi or req_pq → resPQ; req_DH_params (RSA_PAD, or the pre-2.0 scheme
/// RSA(SHA1(data) ‖ data ‖ padding) that older clients such as gramjs 2.26 still send; inner data
/// p_q_inner_data, _dc, _temp or _temp_dc) → server_DH_params_ok; set_client_DH_params →
/// dh_gen_ok (done), dh_gen_retry (the key's id is taken: the client tries again with a new b), or
/// dh_gen_fail. Bad input is an Error: the server closes the connection without answering.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/error.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/base/time.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtproto/handshake/negotiated_key.hpp"
#include "telepp/mtproto/message_id.hpp"

namespace telepp::mtproto::handshake {

/// The server's side of the configuration.
struct ServerHandshakeConfig {
  /// The server's RSA keys (2048-bit); all their fingerprints are announced in resPQ.
  std::vector<crypto::RsaPrivateKey> keys;
  /// The DH group sent in server_DH_inner_data. The server does not re-check it: it must be a
  /// safe 2048-bit prime and g must satisfy its residue rule (Telegram's prime with g = 3 does).
  crypto::DhValue dh_prime = crypto::telegram_dh_prime();
  std::int32_t g = 3;
  /// The inner data `dc` values accepted (see `inner_data_dc`); empty accepts any. Legacy inner
  /// data without a dc is accepted regardless.
  std::vector<std::int32_t> accepted_dcs;
  /// Whether an auth_key_id is already in use; a collision answers dh_gen_retry. Unset: never.
  std::function<bool(std::uint64_t auth_key_id)> key_exists;
  /// dh_gen_retry answers before the server gives up with dh_gen_fail.
  int max_retries = 5;
  /// Accept the pre-2.0 RSA scheme (RSA_PAD is always accepted).
  bool accept_legacy_rsa = true;
};

/// The server's result.
struct ServerHandshakeResult {
  NegotiatedKey key;
  /// The client used the pre-MTProto-2.0 RSA scheme rather than RSA_PAD.
  bool legacy_rsa = false;
};

/// Where the server is in the exchange.
enum class ServerState : std::uint8_t {
  wait_req_pq,                ///< nothing received yet
  wait_req_dh_params,         ///< resPQ sent
  wait_set_client_dh_params,  ///< server_DH_params_ok (or dh_gen_retry) sent
  done,                       ///< dh_gen_ok sent
  failed,                     ///< bad input, or dh_gen_fail sent
};

/// What to do after a client message: send `send` (never empty). With it, `done` carries the key
/// (dh_gen_ok), or `failure` says the handshake failed after an authenticated but unacceptable
/// set_client_DH_params: `send` is then dh_gen_fail, to be sent before closing.
struct ServerStep {
  Bytes send;
  std::optional<ServerHandshakeResult> done;
  std::optional<Error> failure;
};

/// The server role. Copyable (a copy continues independently). Not thread-safe. Secrets (a,
/// new_nonce) are wiped on destruction.
class ServerHandshake {
 public:
  explicit ServerHandshake(ServerHandshakeConfig config);
  ~ServerHandshake();
  ServerHandshake(const ServerHandshake&) = default;
  ServerHandshake& operator=(const ServerHandshake&) = default;

  /// Consumes one unencrypted message from the client at the server's time `now` and returns the
  /// answer. Errors (the handshake is then `failed`; close the connection):
  /// - framing: `bad_length`, `unknown_auth_key`, `bad_msg_id` (see `unpack_plain_message`);
  /// - `handshake_unexpected`: not the request this state waits for, malformed TL, p/q/pq that are
  ///   not this run's proof of work, a dc not in `accepted_dcs`, a temporary key without a positive
  ///   expires_in, a message after the end;
  /// - `handshake_nonce`: nonce or server_nonce (outer or encrypted) not this run's;
  /// - `handshake_no_key`: public_key_fingerprint is none of ours;
  /// - `handshake_hash`: encrypted_data that is neither valid RSA_PAD nor a legacy payload whose
  ///   SHA-1 matches, or set_client_DH_params data whose SHA-1 or padding does not match;
  /// - crypto errors from RSA decryption (`bad_length`, `out_of_range`).
  /// Entropy: server_nonce and pq's primes (resPQ); a (256 bytes, redrawn while g_a is out of range)
  /// and the padding (server_DH_params_ok).
  Result<ServerStep> on_message(ByteView packet, Time now, Entropy& entropy);

  ServerState state() const { return state_; }
  const ServerHandshakeConfig& config() const { return config_; }

 private:
  Result<ServerStep> on_req_pq(ByteView packet, Time now, Entropy& entropy);
  Result<ServerStep> on_req_dh_params(ByteView packet, Time now, Entropy& entropy);
  Result<ServerStep> on_set_client_dh_params(ByteView packet, Time now);
  void wipe_secrets();

  ServerHandshakeConfig config_;
  ServerState state_ = ServerState::wait_req_pq;
  MessageIdGenerator ids_{MsgIdKind::server_answer};
  Int128 nonce_{};
  Int128 server_nonce_{};
  Int256 new_nonce_{};
  std::uint64_t pq_ = 0;
  std::uint64_t p_ = 0;
  std::uint64_t q_ = 0;
  crypto::AesKeyIv tmp_aes_{};
  crypto::DhValue a_{};
  KeyKind kind_ = KeyKind::permanent;
  std::int32_t expires_in_ = 0;
  std::optional<std::int32_t> dc_;
  bool legacy_rsa_ = false;
  std::int64_t expected_retry_id_ = 0;
  int retries_ = 0;
};

}  // namespace telepp::mtproto::handshake
