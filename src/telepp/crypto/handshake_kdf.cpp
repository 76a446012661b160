#include "telepp/crypto/handshake_kdf.hpp"

#include <cstring>

#include "telepp/crypto/hash.hpp"

namespace telepp::crypto {

AesKeyIv handshake_tmp_aes(const Int256& new_nonce, const Int128& server_nonce) {
  const Sha1Digest ns = sha1({new_nonce.view(), server_nonce.view()});
  const Sha1Digest sn = sha1({server_nonce.view(), new_nonce.view()});
  const Sha1Digest nn = sha1({new_nonce.view(), new_nonce.view()});
  AesKeyIv out;
  std::memcpy(out.key.data(), ns.data(), 20);
  std::memcpy(out.key.data() + 20, sn.data(), 12);
  std::memcpy(out.iv.data(), sn.data() + 12, 8);
  std::memcpy(out.iv.data() + 8, nn.data(), 20);
  std::memcpy(out.iv.data() + 28, new_nonce.data(), 4);
  return out;
}

std::uint64_t auth_key_id(const AuthKeyBytes& auth_key) {
  const Sha1Digest d = sha1(auth_key.view());
  return load_le64(d.data() + 12);
}

FixedBytes<8> auth_key_aux_hash(const AuthKeyBytes& auth_key) {
  const Sha1Digest d = sha1(auth_key.view());
  FixedBytes<8> out;
  std::memcpy(out.data(), d.data(), 8);
  return out;
}

Int128 new_nonce_hash(const Int256& new_nonce, DhGenOutcome outcome, const AuthKeyBytes& auth_key) {
  const FixedBytes<8> aux = auth_key_aux_hash(auth_key);
  const Byte tag = static_cast<Byte>(outcome);
  const Sha1Digest d = sha1({new_nonce.view(), ByteView(&tag, 1), aux.view()});
  Int128 out;
  std::memcpy(out.data(), d.data() + 4, 16);
  return out;
}

std::uint64_t handshake_server_salt(const Int256& new_nonce, const Int128& server_nonce) {
  return load_le64(new_nonce.data()) ^ load_le64(server_nonce.data());
}

}  // namespace telepp::crypto
