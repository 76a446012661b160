#pragma once
/// \file Binding a temporary key to a permanent one (Perfect Forward Secrecy): the
/// `encrypted_message` argument of auth.bindTempAuthKey, built by the client and verified by the
/// server. See https://core.telegram.org/api/pfs and /method/auth.bindTempAuthKey.
///
/// encrypted_message is an MTProto 1.0 message encrypted with the PERMANENT key:
/// perm_auth_key_id (8) ‖ msg_key (16) ‖ AES-IGE(random (16, in place of salt and session_id) ‖
/// msg_id (8, that of the auth.bindTempAuthKey request) ‖ seq_no (4, zero) ‖ length (4, 40) ‖
/// bind_auth_key_inner (40) ‖ padding to a multiple of 16), with msg_key the low 128 bits of the
/// SHA-1 of the plaintext without padding and the key and IV from the MTProto 1.0 KDF (x = 0).
/// The auth.bindTempAuthKey TL method itself belongs to the API schema; here its arguments are
/// plain values.

#include <cstdint>

#include "telepp/base/bytes.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/base/time.hpp"
#include "telepp/mtproto/auth_key.hpp"

namespace telepp::mtproto::handshake {

/// The content of bind_auth_key_inner.
struct TempKeyBinding {
  std::int64_t nonce = 0;              ///< random; also auth.bindTempAuthKey's `nonce`
  std::uint64_t temp_auth_key_id = 0;  ///< the key being bound (the request is encrypted with it)
  std::uint64_t perm_auth_key_id = 0;  ///< the key it is bound to
  std::uint64_t temp_session_id = 0;   ///< the session that sends auth.bindTempAuthKey
  std::int32_t expires_at = 0;         ///< Unix seconds (server clock) when the temporary key expires
  friend bool operator==(const TempKeyBinding&, const TempKeyBinding&) = default;
};

/// The arguments of auth.bindTempAuthKey#cdd42a05 perm_auth_key_id:long nonce:long expires_at:int
/// encrypted_message:bytes.
struct BindTempAuthKeyArgs {
  std::int64_t perm_auth_key_id = 0;
  std::int64_t nonce = 0;
  std::int32_t expires_at = 0;
  Bytes encrypted_message;
};

/// Client side: the arguments of auth.bindTempAuthKey binding `temp_key` to `perm_key` until
/// `expires_at`. `temp_session_id` is the session and `msg_id` the msg_id the request will be sent
/// with (under the temporary key); the server checks both. Entropy: the nonce (8), the random
/// prefix (16) and the padding (8). Fails only if serialisation or AES fails (never for valid keys).
Result<BindTempAuthKeyArgs> make_bind_temp_auth_key(const AuthKey& perm_key, const AuthKey& temp_key,
                                                    std::uint64_t temp_session_id, std::int32_t expires_at,
                                                    std::int64_t msg_id, Entropy& entropy);

/// The same with every field of bind_auth_key_inner given (tests, replays): encrypts `binding` for
/// `msg_id` with `perm_key`. Entropy: the random prefix (16) and the padding.
Result<Bytes> encrypt_bind_message(const AuthKey& perm_key, const TempKeyBinding& binding, std::int64_t msg_id,
                                   Entropy& entropy);

/// What the server knows about the request that carried auth.bindTempAuthKey.
struct BindRequestContext {
  std::uint64_t temp_auth_key_id = 0;  ///< the key the request was encrypted with
  std::uint64_t session_id = 0;        ///< the session it arrived in
  std::int64_t msg_id = 0;             ///< its msg_id
};

/// Server side: decrypts `args.encrypted_message` with `perm_key` (which the server looked up by
/// `args.perm_auth_key_id`) and checks it. SECURITY: each of these is refused:
/// - `unknown_auth_key`: the message's auth_key_id or args.perm_auth_key_id is not `perm_key`'s, or
///   the inner temp_auth_key_id / perm_auth_key_id is not the request's key / `perm_key`;
/// - `bad_length`: a size that is not 24 + a multiple of 16, a length field other than the
///   40 bytes of bind_auth_key_inner or padding of 16 bytes or more;
/// - `msg_key_mismatch`: msg_key is not the SHA-1 of the decrypted plaintext;
/// - `bad_msg_id`: the inner msg_id is not the request's, or seq_no is not 0;
/// - `handshake_unexpected`: the body is not a bind_auth_key_inner, or its expires_at differs
///   from args.expires_at;
/// - `handshake_nonce`: the inner nonce differs from args.nonce;
/// - `bad_session`: temp_session_id is not the request's session;
/// - `handshake_failed`: expires_at is not after `now`.
/// Returns the verified binding.
Result<TempKeyBinding> verify_bind_temp_auth_key(const AuthKey& perm_key, const BindTempAuthKeyArgs& args,
                                                 const BindRequestContext& request, Time now);

}  // namespace telepp::mtproto::handshake
