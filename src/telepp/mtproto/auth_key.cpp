#include "telepp/mtproto/auth_key.hpp"

#include "telepp/crypto/handshake_kdf.hpp"

namespace telepp::mtproto {

AuthKey::AuthKey(const Bytes256& key)
    : key_(key), id_(crypto::auth_key_id(key)), aux_hash_(load_le64(crypto::auth_key_aux_hash(key).data())) {}

}  // namespace telepp::mtproto
