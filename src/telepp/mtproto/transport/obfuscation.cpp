#include "telepp/mtproto/transport/obfuscation.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "telepp/crypto/hash.hpp"

namespace telepp::mtproto::transport {
namespace {

constexpr std::uint32_t kTagAbridged = 0xefefefef;
constexpr std::uint32_t kTagIntermediate = 0xeeeeeeee;
constexpr std::uint32_t kTagPadded = 0xdddddddd;

// First words a server reads as another protocol (see is_forbidden_init_prefix).
constexpr std::uint32_t kForbiddenFirstWords[] = {
    0x44414548,  // "HEAD"
    0x54534f50,  // "POST"
    0x20544547,  // "GET "
    0x4954504f,  // "OPTI"
    0x02010316,  // 16 03 01 02: a TLS ClientHello record
    kTagPadded,
    kTagIntermediate,
};

CtrKeyIv keys_from(const Byte* init, ByteView secret) {
  CtrKeyIv k;
  std::memcpy(k.key.data(), init + 8, 32);
  std::memcpy(k.iv.data(), init + 40, 16);
  if (!secret.empty()) k.key = crypto::sha256({k.key.view(), secret});
  return k;
}

}  // namespace

std::optional<std::uint32_t> protocol_tag(Protocol protocol) {
  switch (protocol) {
    case Protocol::abridged: return kTagAbridged;
    case Protocol::intermediate: return kTagIntermediate;
    case Protocol::padded_intermediate: return kTagPadded;
    case Protocol::full: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Protocol> protocol_from_tag(std::uint32_t tag) {
  switch (tag) {
    case kTagAbridged: return Protocol::abridged;
    case kTagIntermediate: return Protocol::intermediate;
    case kTagPadded: return Protocol::padded_intermediate;
    default: return std::nullopt;
  }
}

bool is_forbidden_init_prefix(ByteView init) {
  assert(init.size() >= 8);
  if (init[0] == 0xef) return true;
  const std::uint32_t first = load_le32(init.data());
  if (std::find(std::begin(kForbiddenFirstWords), std::end(kForbiddenFirstWords), first) !=
      std::end(kForbiddenFirstWords)) {
    return true;
  }
  return load_le32(init.data() + 4) == 0;
}

ObfuscationInit make_obfuscation_init(Protocol protocol, std::int16_t dc_id, Entropy& entropy) {
  auto tag = protocol_tag(protocol);
  assert(tag.has_value());
  ObfuscationInit init;
  // The whole payload is drawn again (not just the offending word) so every accepted init is
  // uniformly random among the allowed ones.
  do {
    entropy.fill(init);
  } while (is_forbidden_init_prefix(init));
  store_le32(init.data() + kObfuscationTagOffset, tag.value_or(kTagIntermediate));
  if (dc_id != 0) {
    const auto v = static_cast<std::uint16_t>(dc_id);
    init[kObfuscationDcOffset] = static_cast<Byte>(v);
    init[kObfuscationDcOffset + 1] = static_cast<Byte>(v >> 8);
  }
  return init;
}

CtrKeyIv obfuscation_keys_client_to_server(const ObfuscationInit& init, ByteView secret) {
  return keys_from(init.data(), secret);
}

CtrKeyIv obfuscation_keys_server_to_client(const ObfuscationInit& init, ByteView secret) {
  ObfuscationInit reversed;
  std::reverse_copy(init.begin(), init.end(), reversed.begin());
  return keys_from(reversed.data(), secret);
}

}  // namespace telepp::mtproto::transport
