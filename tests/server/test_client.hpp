#pragma once
// A small blocking MTProto client for server tests, built from the mtproto state machines (not
// from telepp's client, so a client bug cannot hide a server bug): a TCP socket, a transport
// codec, the handshake, then a ClientSession.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <optional>

#include "support/fixed_entropy.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtproto/client_session.hpp"
#include "telepp/mtproto/handshake/handshake.hpp"
#include "telepp/mtproto/transport/codec.hpp"

namespace telepp::test {

inline Time wall_now() { return std::chrono::duration_cast<Time>(std::chrono::system_clock::now().time_since_epoch()); }

/// What a query came back with.
struct QueryResult {
  std::optional<Bytes> result;
  std::optional<RpcErrorInfo> error;
  std::optional<std::int32_t> transport_error;
  bool closed = false;
};

class TestClient {
 public:
  TestClient(std::uint16_t port, const std::string& public_key_pem, mtproto::transport::ClientOptions options = {})
      : port_(port), options_(std::move(options)) {
    auto key = crypto::RsaPublicKey::from_pem(public_key_pem);
    EXPECT_TRUE(key.ok());
    if (key.ok()) config_.trust(*key);
  }
  ~TestClient() { close_socket(); }

  /// Connects (a new TCP connection) and sends the transport preamble.
  bool connect() {
    close_socket();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    int one = 1;  // small request/response packets: no Nagle delay
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto codec = mtproto::transport::Codec::client(options_, entropy_, wall_now());
    // (a fresh codec per connection: the transport's state does not outlive its connection)
    if (!codec.ok()) return false;
    codec_.emplace(std::move(*codec));
    Buffer preamble(0, 0);
    if (codec_->pack_preamble(preamble)) send_raw(preamble.view());
    if (session_) session_->on_connection_lost();
    return true;
  }

  /// Makes the next handshakes agree temporary keys valid for `expires_in` seconds (PFS).
  void use_temporary_keys(std::int32_t expires_in) {
    config_.kind = mtproto::handshake::KeyKind::temporary;
    config_.expires_in = expires_in;
  }

  /// Runs the auth-key handshake; true when a key was agreed.
  bool handshake() {
    mtproto::handshake::ClientHandshake hs(config_);
    auto first = hs.start(wall_now(), entropy_);
    if (!first.ok()) return false;
    send_frame(*first);
    while (!session_) {
      auto frame = receive_frame();
      if (!frame) return false;
      auto step = hs.on_message(*frame, wall_now(), entropy_);
      if (!step.ok()) {
        ADD_FAILURE() << "handshake: " << step.error().to_string();
        return false;
      }
      if (step->done) {
        key_ = step->done->key.auth_key;
        session_.emplace(*key_, 0x1234567890abcdefull, step->done->key.server_salt, entropy_);
        session_->set_time_offset(step->done->time_offset);
      } else {
        send_frame(step->send);
      }
    }
    return true;
  }

  /// Sends one query (boxed bytes) and waits for its answer.
  QueryResult query(Bytes body) {
    auto id = session_->enqueue(std::move(body));
    QueryResult out;
    for (int rounds = 0; rounds < 50; ++rounds) {
      while (auto packet = session_->take_outgoing(wall_now(), codec_->headroom())) {
        codec_->pack(*packet);
        send_raw(packet->view());
      }
      auto frame = receive_frame(&out);
      if (!frame) return out;
      auto events = session_->on_packet(*frame, wall_now());
      if (!events.ok()) {
        ADD_FAILURE() << "client session: " << events.error().to_string();
        return out;
      }
      for (auto& e : *events) {
        if (auto* r = std::get_if<mtproto::RpcResultEvent>(&e); r && r->request == id) out.result = std::move(r->result);
        if (auto* r = std::get_if<mtproto::RpcErrorEvent>(&e); r && r->request == id) out.error = r->error;
        if (auto* u = std::get_if<mtproto::UpdateEvent>(&e)) pushes_.push_back(std::move(u->body));
      }
      if (out.result || out.error) return out;
    }
    ADD_FAILURE() << "no answer";
    return out;
  }

  /// The next message the server pushed (a boxed `Updates` at this client's layer): one seen
  /// while waiting for answers, else the next to arrive within `timeout`; nullopt when none came.
  std::optional<Bytes> next_push(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pushes_.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto frame = receive_frame(nullptr, left);
      if (!frame) return std::nullopt;
      auto events = session_->on_packet(*frame, wall_now());
      if (!events.ok()) {
        ADD_FAILURE() << "client session: " << events.error().to_string();
        return std::nullopt;
      }
      for (auto& e : *events) {
        if (auto* u = std::get_if<mtproto::UpdateEvent>(&e)) pushes_.push_back(std::move(u->body));
      }
      while (auto packet = session_->take_outgoing(wall_now(), codec_->headroom())) {  // acks
        codec_->pack(*packet);
        send_raw(packet->view());
      }
    }
    auto body = std::move(pushes_.front());
    pushes_.pop_front();
    return body;
  }
  /// Pushes received and not taken by `next_push` yet.
  std::size_t pending_pushes() const { return pushes_.size(); }

  /// Sends raw bytes on the socket (for hostile-input tests).
  void send_raw(ByteView bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  /// True when the server closed the connection (within `timeout`).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    Byte b[256];
    return ::recv(fd_, b, sizeof b, 0) <= 0;
  }

  const mtproto::AuthKey& key() const { return *key_; }
  mtproto::ClientSession& session() { return *session_; }
  /// Continues on `port` with the same auth key and session (the same server, restarted there):
  /// call connect() next; no handshake.
  void keep_key_on_port(std::uint16_t port) { port_ = port; }
  /// Continues on another port (another DC) with a fresh handshake there.
  void set_port(std::uint16_t port) {
    port_ = port;
    session_.reset();
    key_.reset();
  }

  /// Frames `payload` with the transport and sends it (no session involved).
  void send_frame(ByteView payload) {
    Buffer b(codec_->headroom(), payload.size() + 64);
    b.append(payload);
    codec_->pack(b);
    send_raw(b.view());
  }
  /// Waits for the next frame, transport error or close.
  QueryResult next() {
    QueryResult out;
    if (auto frame = receive_frame(&out)) out.result = std::move(*frame);
    return out;
  }

 private:
  // The next frame's payload (copied), or nullopt on close/timeout/transport error.
  std::optional<Bytes> receive_frame(QueryResult* out = nullptr,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto u = codec_->unpack();
      if (!u.ok()) return std::nullopt;
      if (auto* f = std::get_if<mtproto::transport::Frame>(&*u)) return Bytes(f->payload.begin(), f->payload.end());
      if (auto* e = std::get_if<mtproto::transport::TransportError>(&*u)) {
        if (out) out->transport_error = e->code;
        return std::nullopt;
      }
      if (!std::holds_alternative<mtproto::transport::NeedMoreBytes>(*u)) continue;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(200, timeout.count()))) <= 0) continue;
      auto space = codec_->prepare(64 * 1024);
      auto n = ::recv(fd_, space.data(), space.size(), 0);
      if (n <= 0) {
        if (out) out->closed = true;
        return std::nullopt;
      }
      codec_->commit(static_cast<std::size_t>(n));
    }
    return std::nullopt;
  }

  void close_socket() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::uint16_t port_;
  mtproto::transport::ClientOptions options_;
  mtproto::handshake::ClientHandshakeConfig config_;
  FixedEntropy entropy_{static_cast<std::uint64_t>(wall_now().count())};
  int fd_ = -1;
  std::optional<mtproto::transport::Codec> codec_;
  std::optional<mtproto::AuthKey> key_;
  std::optional<mtproto::ClientSession> session_;
  std::deque<Bytes> pushes_;  ///< pushed updates seen and not taken yet
};

}  // namespace telepp::test
