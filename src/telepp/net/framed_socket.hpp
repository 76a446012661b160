#pragma once
/// \file `FramedSocket`: one TCP connection with a client transport codec on it: MTProto packets
/// in and out, whatever the transport (see mtproto/transport/codec.hpp).

// NOTE: a standard header before any Asio header: Asio's config picks its allocator from
// libstdc++'s macros, and TUs that disagree break the ODR (see README.md).
#include <chrono>
#include <cstdint>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "telepp/base/buffer.hpp"
#include "telepp/base/entropy.hpp"
#include "telepp/base/result.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::net {

/// The wall clock as the sans-IO layers want it (nanoseconds since the Unix epoch).
Time wall_now();

/// A connected socket and its codec. Move-only. One reader and one writer may use it at a time
/// (`read_frame` and `write_packet` may overlap; two writes may not).
class FramedSocket {
 public:
  /// An unconnected socket with a fresh client codec. `entropy` must outlive it. Errors (net):
  /// `bad_options` (a transport the codec refuses, e.g. obfuscated `full`).
  static Result<FramedSocket> create(const asio::any_io_executor& executor,
                                     const mtproto::transport::ClientOptions& options, Entropy& entropy);
  /// Resolves `host`, connects (TCP_NODELAY) and sends the transport's preamble. `close()`
  /// meanwhile aborts it. Errors (net): `connect_failed`, `closed`.
  asio::awaitable<Status> connect(const std::string& host, std::uint16_t port);

  /// The next packet, inside the codec's buffer (valid until the next `read_frame`). Quick acks
  /// are skipped. Errors (net): `closed` (EOF or I/O error), `protocol` (broken framing, or a
  /// transport error such as -404 from the server, its code in the detail).
  asio::awaitable<Result<MutableByteView>> read_frame();
  /// Frames `packet` in place (give it `headroom()` bytes in front) and writes it. Errors: `closed`.
  asio::awaitable<Status> write_packet(Buffer& packet);
  /// Copies `payload` into a framed packet and writes it.
  asio::awaitable<Status> write_payload(ByteView payload);

  std::size_t headroom() const { return codec_.headroom(); }
  /// Closes the socket; pending reads and writes complete with `closed`.
  void close();
  bool is_open() const { return socket_.is_open(); }

 private:
  FramedSocket(asio::ip::tcp::socket socket, mtproto::transport::Codec codec)
      : socket_(std::move(socket)), codec_(std::move(codec)) {}
  asio::awaitable<Status> write_packet_raw(ByteView bytes);

  asio::ip::tcp::socket socket_;
  mtproto::transport::Codec codec_;
};

}  // namespace telepp::net
