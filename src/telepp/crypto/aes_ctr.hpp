#pragma once
/// \file AES-256-CTR as a stateful stream cipher, for the obfuscated transports
/// (https://core.telegram.org/mtproto/mtproto-transports#transport-obfuscation).

#include "telepp/base/bytes.hpp"
#include "telepp/base/int128.hpp"

struct evp_cipher_ctx_st;

namespace telepp::crypto {

/// One direction of an AES-256-CTR stream. The counter and the position inside the current
/// keystream block carry over between calls, so `apply(a); apply(b)` equals `apply(a ‖ b)`.
/// Encryption and decryption are the same operation. Move-only; not thread-safe. A moved-from
/// object may only be destroyed or assigned to.
class AesCtr {
 public:
  /// Starts the stream at counter block `iv` (16 bytes, big-endian counter as OpenSSL uses it).
  AesCtr(const Int256& key, const Int128& iv);
  ~AesCtr();
  AesCtr(AesCtr&& other) noexcept;
  AesCtr& operator=(AesCtr&& other) noexcept;
  AesCtr(const AesCtr&) = delete;
  AesCtr& operator=(const AesCtr&) = delete;

  /// XORs the next `data.size()` keystream bytes into `data`, in place.
  void apply(MutableByteView data);
  /// Writes `in` XOR keystream to `out`; `out.size()` must equal `in.size()` (asserted). `in`
  /// and `out` may be the same bytes but must not otherwise overlap.
  void apply(ByteView in, MutableByteView out);

 private:
  evp_cipher_ctx_st* ctx_ = nullptr;
};

}  // namespace telepp::crypto
