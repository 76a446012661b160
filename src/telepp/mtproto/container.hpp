#pragma once
/// \file msg_container: parsing (with every rule checked) and building.
/// See https://core.telegram.org/mtproto/service_messages#containers.

#include <cstdint>
#include <vector>

#include "telepp/base/bytes.hpp"
#include "telepp/base/result.hpp"

namespace telepp::mtproto {

inline constexpr std::uint32_t kMsgContainerId = 0x73f1f8dc;
/// Limits a container must respect (the server's; we enforce them both ways).
inline constexpr std::size_t kMaxContainerMessages = 1020;
inline constexpr std::size_t kMaxContainerBytes = 1024 * 1024 - 64;

/// One message inside a container (or a lone message): its header and body bytes.
struct InnerMessage {
  std::int64_t msg_id = 0;
  std::int32_t seq_no = 0;
  ByteView body;
};

/// True when `body` starts with the msg_container ID.
bool is_container(ByteView body);
/// Splits a boxed msg_container. SECURITY: rejects wrong lengths, counts beyond the limit, and
/// containers nested in containers.
Result<std::vector<InnerMessage>> parse_container(ByteView body);

/// An outgoing message body with its msg_id and seq_no.
struct OutgoingMessage {
  std::int64_t msg_id = 0;
  std::int32_t seq_no = 0;
  Bytes body;
};
/// Appends a boxed msg_container of `messages` to `out`.
void write_container(const std::vector<const OutgoingMessage*>& messages, Bytes& out);
/// The size a message adds to a container (header + body).
inline std::size_t container_entry_size(std::size_t body) { return 16 + body; }

}  // namespace telepp::mtproto
