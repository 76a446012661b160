#pragma once
/// \file The client role of the auth-key handshake as a sans-IO state machine: it hands out the
/// unencrypted messages to send and consumes the server's answers, with time and randomness as
/// parameters. See https://core.telegram.org/mtproto/auth_key and /mtproto/security_guidelines.
///
/// Flow: start() → req_pq_multi; resPQ → req_DH_params (p_q_inner_data_dc or _temp_dc under
/// RSA_PAD); server_DH_params_ok → set_client_DH_params; dh_gen_ok → done (dh_gen_retry → another
/// set_client_DH_params with a new b). Any failed check ends the handshake: the caller drops the
/// connection and starts over with a new ClientHandshake.

#include <cstdint>
#include <map>
#include <optional>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/int128.hpp"
#include "telepp/base/result.hpp"
#include "telepp/base/time.hpp"
#include "telepp/crypto/dh.hpp"
#include "telepp/crypto/kdf.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtproto/handshake/negotiated_key.hpp"
#include "telepp/mtproto/message_id.hpp"

namespace telepp::mtproto::handshake {

/// What the client needs to know before it starts.
struct ClientHandshakeConfig {
  /// The DC's number (1..5 in production).
  std::int32_t dc_id = 2;
  /// A test DC (10000 is added to the dc sent in the inner data).
  bool test_dc = false;
  /// A media (not CDN) DC (the dc sent is negative).
  bool media_dc = false;
  /// The server keys the client trusts, by the fingerprint the server announces in resPQ (the
  /// low 64 bits of SHA-1 of the TL-serialised key, as `RsaPublicKey::fingerprint()` computes it;
  /// `trust()` files a key under its own fingerprint). The first fingerprint of resPQ found here is
  /// used; none found is `handshake_no_key`.
  std::map<std::uint64_t, crypto::RsaPublicKey> server_keys;
  /// Permanent, or temporary for `expires_in` seconds (PFS).
  KeyKind kind = KeyKind::permanent;
  /// Temporary keys only: the lifetime asked for, in seconds; must be positive.
  std::int32_t expires_in = 0;
  /// Server time minus local time, if already known (from an earlier connection); used for the
  /// msg_ids until server_DH_inner_data tells the server's time.
  Duration clock_offset{0};
  /// Where proven DH primes are remembered; nullptr uses `crypto::DhPrimeCache::global()` (seeded
  /// with Telegram's prime). Not owned; must outlive the handshake.
  crypto::DhPrimeCache* prime_cache = nullptr;
  /// dh_gen_retry answers accepted before giving up with `handshake_failed`.
  int max_retries = 5;

  /// Adds `key` under its fingerprint.
  void trust(const crypto::RsaPublicKey& key) { server_keys.insert_or_assign(key.fingerprint(), key); }
  /// The `dc` field this configuration sends (see `inner_data_dc`).
  std::int32_t dc() const { return inner_data_dc(dc_id, test_dc, media_dc); }
};

/// The client's result: the key, and the server's clock as learned from server_DH_inner_data.
struct ClientHandshakeResult {
  NegotiatedKey key;
  /// Server time minus local time, in whole seconds (server_time has second resolution; the local
  /// clock keeps its sub-second part in msg_ids). Feed it to the session's MessageIdGenerator.
  Duration time_offset{0};
};

/// Where the client is in the exchange.
enum class ClientState : std::uint8_t {
  start,                  ///< nothing sent yet
  wait_res_pq,            ///< req_pq_multi sent
  wait_server_dh_params,  ///< req_DH_params sent
  wait_dh_gen,            ///< set_client_DH_params sent
  done,                   ///< dh_gen_ok accepted
  failed,                 ///< a check failed; the handshake cannot continue
};

/// What to do after an answer: send `send`, or, when `done` is set, use the key (nothing to send).
struct ClientStep {
  Bytes send;
  std::optional<ClientHandshakeResult> done;
};

/// The client role. Copyable (a copy continues independently; tests use this to replay one step
/// with different inputs). Not thread-safe. Secrets (new_nonce, b, the key) are wiped on
/// destruction.
class ClientHandshake {
 public:
  explicit ClientHandshake(ClientHandshakeConfig config);
  ~ClientHandshake();
  ClientHandshake(const ClientHandshake&) = default;
  ClientHandshake& operator=(const ClientHandshake&) = default;

  /// The first message: req_pq_multi with a fresh nonce (16 bytes of `entropy`), framed as an
  /// unencrypted message with a msg_id for `now`. Fails with `handshake_unexpected` when called
  /// twice or with a configuration that cannot work (a temporary key without a positive
  /// expires_in).
  Result<Bytes> start(Time now, Entropy& entropy);

  /// Consumes one unencrypted message from the server (as the transport delivered it) and says
  /// what to send next, or hands over the key. Errors end the handshake (state `failed`):
  /// - framing: `bad_length`, `unknown_auth_key`, `bad_msg_id` (see `unpack_plain_message`);
  /// - `handshake_unexpected`: not the answer this state waits for, malformed TL, a call after the
  ///   end;
  /// - `handshake_nonce`: nonce or server_nonce (outer or inside the encrypted answer) not ours;
  /// - `handshake_no_key`: no announced fingerprint is in `server_keys`;
  /// - `handshake_hash`: the answer's SHA-1, padding, or a new_nonce_hash1/2/3 does not match;
  /// - `handshake_failed`: server_DH_params_fail or dh_gen_fail (with a valid hash), or more than
  ///   `max_retries` dh_gen_retry;
  /// - crypto errors (domain crypto, detail naming the field): pq not a product of two primes, a
  ///   dh_prime that is not a safe 2048-bit prime, g or its residue rule (`bad_generator`), g_a out
  ///   of range (`out_of_range`).
  /// Entropy: new_nonce (32) and RSA_PAD's draws after resPQ; b (256, redrawn while g_b is out of
  /// range) and the padding after server_DH_params_ok and dh_gen_retry.
  Result<ClientStep> on_message(ByteView packet, Time now, Entropy& entropy);

  ClientState state() const { return state_; }
  const ClientHandshakeConfig& config() const { return config_; }

 private:
  Result<ClientStep> on_res_pq(ByteView packet, Time now, Entropy& entropy);
  Result<ClientStep> on_server_dh_params(ByteView packet, Time now, Entropy& entropy);
  Result<ClientStep> on_dh_gen(ByteView packet, Time now, Entropy& entropy);
  Result<Bytes> make_set_client_dh_params(Time now, Entropy& entropy);
  void wipe_secrets();

  ClientHandshakeConfig config_;
  ClientState state_ = ClientState::start;
  MessageIdGenerator ids_{MsgIdKind::client};
  Int128 nonce_{};
  Int128 server_nonce_{};
  Int256 new_nonce_{};
  crypto::AesKeyIv tmp_aes_{};
  crypto::DhValue dh_prime_{};
  std::int32_t g_ = 0;
  crypto::DhValue g_a_{};
  Duration time_offset_{0};
  std::int64_t retry_id_ = 0;
  int retries_ = 0;
  AuthKey pending_key_;  ///< g_a^b of the last set_client_DH_params, confirmed by dh_gen_ok
};

}  // namespace telepp::mtproto::handshake
