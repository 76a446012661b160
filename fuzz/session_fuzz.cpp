// Fuzzes the encrypted-message decoder and everything behind it in the client session: the raw
// input goes to decrypt_message (framing and msg_key checks); then the input becomes the body of a
// correctly encrypted server message, so the session's container, gzip and service-message
// parsing see arbitrary content too.
#include <cstddef>
#include <cstdint>

#include "telepp/mtproto/client_session.hpp"

namespace {

using namespace telepp;
using namespace telepp::mtproto;

class CounterEntropy final : public Entropy {
 public:
  void fill(MutableByteView out) override {
    for (auto& b : out) b = static_cast<Byte>(++state_ * 0x9d);
  }

 private:
  std::uint32_t state_ = 0;
};

AuthKey fuzz_key() {
  AuthKey::Bytes256 raw;
  for (std::size_t i = 0; i < raw.bytes.size(); ++i) raw.bytes[i] = static_cast<Byte>(i * 7 + 1);
  return AuthKey(raw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const AuthKey key = fuzz_key();
  Bytes raw(data, data + size);
  (void)decrypt_message(key, Direction::server_to_client, MutableByteView(raw));

  CounterEntropy entropy;
  const Time now = from_unix_seconds(1750000000);
  ClientSession session(key, 1, 2, entropy);
  session.enqueue(Bytes{0x6b, 0x18, 0xf9, 0xc4});
  (void)session.take_outgoing(now);

  Buffer packet(kEncryptedHeaderSize, size);
  packet.append(ByteView(data, size / 4 * 4));
  MessageIdGenerator ids(MsgIdKind::server_answer);
  encrypt_message(key, Direction::server_to_client, MessageHeader{2, 1, ids.next(now), 1}, packet, entropy);
  (void)session.on_packet(packet.mutable_view(), now);
  (void)session.take_outgoing(now + std::chrono::seconds(5));
  return 0;
}
