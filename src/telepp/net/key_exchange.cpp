#include "telepp/net/key_exchange.hpp"

#include "telepp/net/errc.hpp"

namespace telepp::net {

asio::awaitable<Result<mtproto::handshake::ClientHandshakeResult>> exchange_key(
    FramedSocket& socket, mtproto::handshake::ClientHandshakeConfig config, Entropy& entropy) {
  mtproto::handshake::ClientHandshake handshake(std::move(config));
  auto first = handshake.start(wall_now(), entropy);
  if (!first) co_return net_fail(NetErrc::handshake, first.error().to_string());
  Bytes send = std::move(*first);
  while (true) {
    auto sent = co_await socket.write_payload(send);
    if (!sent) co_return fail(sent.take_error());
    auto frame = co_await socket.read_frame();
    if (!frame) co_return fail(frame.take_error());
    auto step = handshake.on_message(*frame, wall_now(), entropy);
    if (!step) co_return net_fail(NetErrc::handshake, step.error().to_string());
    if (step->done) co_return std::move(*step->done);
    send = std::move(step->send);
  }
}

}  // namespace telepp::net
