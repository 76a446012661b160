#include "telepp/mtproto/handshake/detail.hpp"

#include <cstring>

#include "telepp/crypto/aes_ige.hpp"
#include "telepp/crypto/hash.hpp"

namespace telepp::mtproto::handshake::detail {

bool equal_ct(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  Byte diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = static_cast<Byte>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

void wipe(void* p, std::size_t n) {
  // A volatile pointer makes every store observable, so the compiler keeps them.
  volatile Byte* v = static_cast<volatile Byte*>(p);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0;
}

Result<Bytes> seal_with_sha1(ByteView data, const crypto::AesKeyIv& tmp_aes, Entropy& entropy) {
  const std::size_t unpadded = kSha1Size + data.size();
  const std::size_t padding = (16 - unpadded % 16) % 16;
  Bytes out(unpadded + padding);
  const crypto::Sha1Digest hash = crypto::sha1(data);
  std::memcpy(out.data(), hash.data(), kSha1Size);
  if (!data.empty()) std::memcpy(out.data() + kSha1Size, data.data(), data.size());
  if (padding != 0) entropy.fill({out.data() + unpadded, padding});
  auto status = crypto::aes_ige_encrypt(tmp_aes.key, tmp_aes.iv, out);
  if (!status) return in("tmp_aes encryption", status.take_error());
  return out;
}

Result<Bytes> decrypt_tmp_aes(ByteView encrypted, const crypto::AesKeyIv& tmp_aes, std::string_view what) {
  // SECURITY: a whole number of AES blocks, with room for the hash and at least one TL word.
  if (encrypted.size() % 16 != 0 || encrypted.size() < kSha1Size + 4) {
    return mtproto_fail(MtprotoErrc::handshake_hash,
                        std::string(what) + ": " + std::to_string(encrypted.size()) +
                            " bytes is not a multiple of 16 large enough for SHA1 and data");
  }
  Bytes plaintext(encrypted.begin(), encrypted.end());
  auto status = crypto::aes_ige_decrypt(tmp_aes.key, tmp_aes.iv, plaintext);
  if (!status) return in(what, status.take_error());
  return plaintext;
}

Status check_sha1_and_padding(ByteView plaintext, std::size_t consumed, std::string_view what) {
  const std::size_t padding = plaintext.size() - kSha1Size - consumed;
  // SECURITY: SHA1(data) ‖ data ‖ 0..15 random bytes: more padding means the length is not the one
  // the hash was computed over.
  if (padding > 15) {
    return mtproto_fail(MtprotoErrc::handshake_hash,
                        std::string(what) + ": " + std::to_string(padding) + " bytes after the data, at most 15 allowed");
  }
  // SECURITY: the security guidelines require this check: the first 20 bytes must be the SHA-1
  // of the data without the padding, or the answer was not produced with our new_nonce.
  const crypto::Sha1Digest hash = crypto::sha1(plaintext.subspan(kSha1Size, consumed));
  if (!equal_ct(hash.view(), plaintext.first(kSha1Size))) {
    return mtproto_fail(MtprotoErrc::handshake_hash, std::string(what) + ": SHA-1 does not match the data");
  }
  return {};
}

}  // namespace telepp::mtproto::handshake::detail
