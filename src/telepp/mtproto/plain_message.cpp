#include "telepp/mtproto/plain_message.hpp"

#include <cstring>
#include <string>

#include "telepp/mtproto/errc.hpp"

namespace telepp::mtproto {
namespace {

void write_header(Byte* p, std::int64_t msg_id, std::size_t body_size) {
  store_le64(p, 0);  // auth_key_id 0: unencrypted
  store_le64(p + 8, static_cast<std::uint64_t>(msg_id));
  store_le32(p + 16, static_cast<std::uint32_t>(body_size));
}

}  // namespace

Bytes pack_plain_message(std::int64_t msg_id, ByteView body) {
  Bytes out(kPlainHeaderSize + body.size());
  write_header(out.data(), msg_id, body.size());
  if (!body.empty()) std::memcpy(out.data() + kPlainHeaderSize, body.data(), body.size());
  return out;
}

void pack_plain_message(std::int64_t msg_id, Buffer& packet) {
  const std::size_t body = packet.size();
  write_header(packet.prepend(kPlainHeaderSize), msg_id, body);
}

Result<PlainMessage> unpack_plain_message(ByteView packet, Direction direction) {
  // SECURITY: never read past the packet; everything below is bounds-checked against its size.
  if (packet.size() < kPlainHeaderSize) {
    return mtproto_fail(MtprotoErrc::bad_length,
                        "unencrypted message: " + std::to_string(packet.size()) + " bytes, the header alone is 20");
  }
  // SECURITY: a non-zero auth_key_id is an encrypted message; never treat it as plain text.
  if (const std::uint64_t key_id = load_le64(packet.data()); key_id != 0) {
    return mtproto_fail(MtprotoErrc::unknown_auth_key,
                        "unencrypted message with auth_key_id " + std::to_string(key_id) + ", expected 0");
  }
  PlainMessage out;
  out.msg_id = static_cast<std::int64_t>(load_le64(packet.data() + 8));
  // SECURITY: the msg_id parity says who sent the message; a reflected or forged one fails here.
  const bool from_client = direction == Direction::client_to_server;
  if (out.msg_id <= 0 || (from_client ? (out.msg_id & 3) != 0 : (out.msg_id & 1) == 0)) {
    return mtproto_fail(MtprotoErrc::bad_msg_id, "unencrypted message: msg_id " + std::to_string(out.msg_id) +
                                                     (from_client ? " from a client must be divisible by 4"
                                                                  : " from a server must be odd"));
  }
  const auto length = static_cast<std::int32_t>(load_le32(packet.data() + 16));
  const std::size_t available = packet.size() - kPlainHeaderSize;
  // SECURITY: the length must fit the bytes received (no read past the end), be a whole number of
  // TL words, and leave no more than transport padding behind it.
  if (length < 0 || length % 4 != 0 || static_cast<std::size_t>(length) > available ||
      available - static_cast<std::size_t>(length) > kPlainMaxTrailing) {
    return mtproto_fail(MtprotoErrc::bad_length, "unencrypted message: message_data_length " + std::to_string(length) +
                                                     " with " + std::to_string(available) + " bytes after the header");
  }
  out.body = packet.subspan(kPlainHeaderSize, static_cast<std::size_t>(length));
  return out;
}

}  // namespace telepp::mtproto
