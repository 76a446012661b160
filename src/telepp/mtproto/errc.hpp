#pragma once
/// \file Error codes of the `mtproto` domain: every rejection rule of the protocol has its own
/// code, so callers (the session, the server, tests) can tell them apart.

#include <string>

#include "telepp/base/error.hpp"
#include "telepp/base/result.hpp"

namespace telepp::mtproto {

enum class MtprotoErrc : int {
  // transports
  bad_frame = 1,          ///< a frame whose length, checksum or sequence number is wrong
  frame_too_large,        ///< a frame beyond the codec's size limit
  transport_error,        ///< the peer sent a transport error code (-404, -429, -444, ...); see Error::code detail
  bad_transport_header,   ///< the first bytes match no transport (server side)
  bad_secret,             ///< an MTProxy secret that is malformed or does not match
  // handshake
  handshake_nonce,        ///< nonce or server_nonce differs from ours
  handshake_hash,         ///< a SHA-1 or new_nonce_hash check failed
  handshake_unexpected,   ///< an answer that does not fit the handshake's state
  handshake_no_key,       ///< none of the server's fingerprints is a key we know
  handshake_failed,       ///< dh_gen_fail, or retries exhausted
  // encrypted messages
  unknown_auth_key,       ///< auth_key_id is not the key we hold
  msg_key_mismatch,       ///< msg_key does not match the decrypted content
  bad_length,             ///< message length or padding out of the allowed range
  bad_session,            ///< session_id is not ours
  bad_msg_id,             ///< msg_id with the wrong parity, or outside the time window
  duplicate_msg_id,       ///< a msg_id seen before
  bad_container,          ///< a container that breaks the rules (nesting, sizes)
  decompression,          ///< gzip_packed that is corrupt or inflates beyond the limit
  // session
  rpc_error,              ///< the server answered a request with rpc_error (see Error::rpc)
  request_dropped,        ///< a request dropped (rpc_answer_dropped, destroyed session, ...)
  closed,                 ///< the session or connection was closed
};

/// An Error of the mtproto domain.
inline Error mtproto_error(MtprotoErrc code, std::string detail) {
  return Error(ErrorDomain::mtproto, static_cast<int>(code), std::move(detail));
}
/// `return mtproto_fail(...)` converts to any Result<T>.
inline Failure mtproto_fail(MtprotoErrc code, std::string detail) {
  return fail(mtproto_error(code, std::move(detail)));
}
/// True when `e` carries the given mtproto code.
inline bool is(const Error& e, MtprotoErrc code) {
  return e.domain == ErrorDomain::mtproto && e.code == static_cast<int>(code);
}

}  // namespace telepp::mtproto
