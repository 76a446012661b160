#include "telepp/net/framed_socket.hpp"

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "telepp/net/errc.hpp"

namespace telepp::net {
namespace {

using asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
// Bytes asked of the socket at once.
constexpr std::size_t kReadSize = 64 * 1024;

}  // namespace

Time wall_now() { return std::chrono::duration_cast<Time>(std::chrono::system_clock::now().time_since_epoch()); }

Result<FramedSocket> FramedSocket::create(const asio::any_io_executor& executor,
                                          const mtproto::transport::ClientOptions& options, Entropy& entropy) {
  auto codec = mtproto::transport::Codec::client(options, entropy, wall_now());
  if (!codec) return net_fail(NetErrc::bad_options, codec.error().to_string());
  return FramedSocket(tcp::socket(executor), std::move(*codec));
}

asio::awaitable<Status> FramedSocket::connect(const std::string& host, std::uint16_t port) {
  tcp::resolver resolver(socket_.get_executor());
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(host, std::to_string(port), kTuple);
  if (resolve_ec) co_return net_fail(NetErrc::connect_failed, "resolve " + host + ": " + resolve_ec.message());
  auto [ec, endpoint] = co_await asio::async_connect(socket_, endpoints, kTuple);
  if (ec) co_return net_fail(NetErrc::connect_failed, host + ":" + std::to_string(port) + ": " + ec.message());
  // NOTE: MTProto is request/response with small packets: Nagle's algorithm would hold a query
  // back until the server's delayed ACK (tens of ms per round trip).
  std::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  Buffer preamble(0, 0);
  if (codec_.pack_preamble(preamble)) co_return co_await write_packet_raw(preamble.view());
  co_return Status{};
}

asio::awaitable<Result<MutableByteView>> FramedSocket::read_frame() {
  while (true) {
    auto unpacked = codec_.unpack();
    if (!unpacked) co_return net_fail(NetErrc::protocol, unpacked.error().to_string());
    if (auto* frame = std::get_if<mtproto::transport::Frame>(&*unpacked)) co_return frame->payload;
    if (auto* error = std::get_if<mtproto::transport::TransportError>(&*unpacked)) {
      co_return net_fail(NetErrc::protocol, mtproto::transport::to_error(*error).to_string());
    }
    if (!std::holds_alternative<mtproto::transport::NeedMoreBytes>(*unpacked)) continue;  // quick acks
    auto space = codec_.prepare(kReadSize);
    if (space.empty()) co_return net_fail(NetErrc::protocol, "receive buffer full");
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()), kTuple);
    if (ec) co_return net_fail(NetErrc::closed, "read: " + ec.message());
    codec_.commit(n);
  }
}

asio::awaitable<Status> FramedSocket::write_packet(Buffer& packet) {
  codec_.pack(packet);
  co_return co_await write_packet_raw(packet.view());
}

asio::awaitable<Status> FramedSocket::write_payload(ByteView payload) {
  Buffer packet(codec_.headroom(), payload.size() + codec_.tailroom(payload.size()));
  packet.append(payload);
  co_return co_await write_packet(packet);
}

asio::awaitable<Status> FramedSocket::write_packet_raw(ByteView bytes) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), kTuple);
  if (ec) co_return net_fail(NetErrc::closed, "write: " + ec.message());
  co_return Status{};
}

void FramedSocket::close() {
  std::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace telepp::net
