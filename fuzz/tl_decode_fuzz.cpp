// Fuzzes the TL decoders: typed (a function, as the server reads queries; messages.messages, a
// large result) and dynamic. Whatever decodes must re-encode. Seeds: tests/vectors/*-L228/*.bin.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "telepp/api.hpp"
#include "telepp/schemas/schemas.hpp"
#include "telepp/tl/value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  telepp::ByteView bytes(data, size);
  namespace tl = telepp::tl;
  if (auto f = tl::deserialize<telepp::api::AnyFunction>(bytes); f.ok() && !tl::to_bytes(*f).ok()) std::abort();
  if (auto m = tl::deserialize<telepp::api::messages::Messages>(bytes); m.ok() && !tl::to_bytes(*m).ok()) std::abort();
  static const auto& schema = *telepp::schemas::api();
  if (auto v = tl::decode_value(schema, bytes); v.ok()) {
    if (!tl::encode_value(*v).ok()) std::abort();
    (void)tl::value_to_json(*v);
  }
  return 0;
}
