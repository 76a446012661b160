#include "telepp/mtproto/container.hpp"

#include "telepp/mtproto/errc.hpp"

namespace telepp::mtproto {

bool is_container(ByteView body) { return body.size() >= 4 && load_le32(body.data()) == kMsgContainerId; }

Result<std::vector<InnerMessage>> parse_container(ByteView body) {
  if (!is_container(body) || body.size() < 8) return mtproto_fail(MtprotoErrc::bad_container, "not a msg_container");
  std::uint32_t count = load_le32(body.data() + 4);
  if (count > kMaxContainerMessages || count > (body.size() - 8) / 16) {
    return mtproto_fail(MtprotoErrc::bad_container, "container claims " + std::to_string(count) + " messages");
  }
  std::vector<InnerMessage> out;
  out.reserve(count);
  std::size_t at = 8;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (body.size() - at < 16) return mtproto_fail(MtprotoErrc::bad_container, "container truncated");
    InnerMessage m;
    m.msg_id = static_cast<std::int64_t>(load_le64(body.data() + at));
    m.seq_no = static_cast<std::int32_t>(load_le32(body.data() + at + 8));
    std::uint32_t length = load_le32(body.data() + at + 12);
    at += 16;
    if (length % 4 != 0 || length > body.size() - at) {
      return mtproto_fail(MtprotoErrc::bad_container, "inner message length " + std::to_string(length) + " is invalid");
    }
    m.body = body.subspan(at, length);
    if (is_container(m.body)) return mtproto_fail(MtprotoErrc::bad_container, "a container inside a container");
    at += length;
    out.push_back(m);
  }
  if (at != body.size()) return mtproto_fail(MtprotoErrc::bad_container, "bytes after the container's messages");
  return out;
}

void write_container(const std::vector<const OutgoingMessage*>& messages, Bytes& out) {
  std::size_t start = out.size();
  std::size_t total = 8;
  for (const auto* m : messages) total += container_entry_size(m->body.size());
  out.resize(start + total);
  Byte* p = out.data() + start;
  store_le32(p, kMsgContainerId);
  store_le32(p + 4, static_cast<std::uint32_t>(messages.size()));
  p += 8;
  for (const auto* m : messages) {
    store_le64(p, static_cast<std::uint64_t>(m->msg_id));
    store_le32(p + 8, static_cast<std::uint32_t>(m->seq_no));
    store_le32(p + 12, static_cast<std::uint32_t>(m->body.size()));
    if (!m->body.empty()) std::memcpy(p + 16, m->body.data(), m->body.size());
    p += 16 + m->body.size();
  }
}

}  // namespace telepp::mtproto
