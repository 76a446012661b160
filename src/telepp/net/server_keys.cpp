#include "telepp/net/server_keys.hpp"

#include "telepp/net/errc.hpp"

namespace telepp::net {

Result<std::vector<crypto::RsaPublicKey>> parse_server_keys(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::vector<crypto::RsaPublicKey> keys;
  auto start = pem.find(kBegin);
  while (start != std::string_view::npos) {
    // A block runs to the next BEGIN line (its END line and whatever follows are inside it).
    auto next = pem.find(kBegin, start + kBegin.size());
    auto key = crypto::RsaPublicKey::from_pem(pem.substr(start, next == std::string_view::npos ? next : next - start));
    if (!key) return fail(key.take_error());
    keys.push_back(std::move(*key));
    start = next;
  }
  if (keys.empty()) return net_fail(NetErrc::bad_options, "no PEM public key among the trusted server keys");
  return keys;
}

}  // namespace telepp::net
