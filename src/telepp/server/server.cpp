#include "telepp/server/server.hpp"

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <list>
#include <set>
#include <sstream>
#include <thread>

#include "telepp/crypto/os_entropy.hpp"
#include "telepp/crypto/rsa.hpp"
#include "telepp/mtproto/encrypted_message.hpp"
#include "telepp/mtproto/handshake/handshake.hpp"
#include "telepp/mtproto/transport/codec.hpp"
#include "telepp/server/auth_keys.hpp"
#include "telepp/server/dispatcher.hpp"
#include "telepp/server/layer_adapter.hpp"
#include "telepp/server/persistence.hpp"
#include "telepp/schemas/schemas.hpp"

namespace telepp::server {
namespace {

using asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

Time wall_now() { return std::chrono::duration_cast<Time>(std::chrono::system_clock::now().time_since_epoch()); }

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error(ErrorDomain::server, 1, "cannot read " + path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) return fail(Error(ErrorDomain::server, 1, "cannot write " + path));
  return {};
}

// The server's RSA key: read from `path`, or created there (or only in memory without a path).
Result<crypto::RsaPrivateKey> load_or_create_key(const std::string& path) {
  if (!path.empty() && std::filesystem::exists(path)) {
    auto pem = read_text(path);
    if (!pem) return fail(pem.take_error());
    return crypto::RsaPrivateKey::from_pem(*pem);
  }
  auto key = crypto::RsaPrivateKey::generate(2048);
  if (!key) return key;
  if (!path.empty()) {
    TELEPP_TRY(write_text(path, key->to_pem()));
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  return key;
}

}  // namespace

namespace {

class Connection;

// A boxed `Updates` (latest layer) as a client at `layer` reads it; updatesTooLong (the client
// then calls updates.getDifference) when it cannot be represented there, which is our bug.
Bytes updates_for_layer(ByteView updates, int layer) {
  if (layer == schemas::kLatestLayer) return Bytes(updates.begin(), updates.end());
  if (const auto* adapter = LayerAdapter::shipped(schemas::kLatestLayer, layer)) {
    auto converted = adapter->convert_bytes(updates);
    if (converted) return std::move(*converted);
    std::fprintf(stderr, "telepp serve: cannot convert pushed updates down to layer %d: %s\n", layer,
                 converted.error().to_string().c_str());
  }
  auto too_long = tl::to_bytes(api::updatesTooLong{});
  return too_long ? std::move(*too_long) : Bytes{};
}

}  // namespace

/// One DC: its port, its keys.
struct Dc {
  int id = 1;
  tcp::acceptor acceptor;
  AuthKeys keys;
  Dc(int dc, asio::io_context& io, Entropy& entropy) : id(dc), acceptor(io), keys(entropy) {}
};

struct Server::Impl : ServerHooks {
  ServerConfig config;
  crypto::OsEntropy entropy;
  std::optional<crypto::RsaPrivateKey> rsa;
  asio::io_context io;
  std::list<Dc> dcs;
  State state;
  Dispatcher dispatcher;
  /// What every connection's transport accepts (an MTProxy secret, if configured).
  mtproto::transport::ServerOptions transport;
  /// SECURITY: replayed obfuscation inits and fake-TLS hellos (active probing of the proxy
  /// secret) are refused across connections.
  mtproto::transport::ReplayCache replay_cache;
  std::thread thread;
  bool stopped = false;
  std::vector<std::weak_ptr<tcp::socket>> sockets;
  std::unique_ptr<Persistence> store;  ///< with --data: the SQLite store (persistence.hpp)

  std::vector<DcKeys> dc_key_list() {
    std::vector<DcKeys> out;
    for (auto& d : dcs) out.push_back({d.id, &d.keys});
    return out;
  }
  /// Writes what the last query or handshake changed (with --data). False when that failed
  /// (logged): the change must not be acknowledged.
  bool save_state(bool at_stop = false) {
    if (!store) {
      Persistence::clear_marks(state, dc_key_list());  // in memory: nobody reads them
      return true;
    }
    auto saved = store->flush(state, dc_key_list(), at_stop);
    if (!saved) std::fprintf(stderr, "telepp serve: cannot save state: %s\n", saved.error().detail.c_str());
    return saved.ok();
  }

  AuthKeys* dc_keys(int dc) override {
    for (auto& d : dcs) {
      if (d.id == dc) return &d.keys;
    }
    return nullptr;
  }

  // Push delivery. A session is attached to the connection its latest query came on, and
  // subscribed to updates once a query on that connection came without invokeWithoutUpdates
  // (as Telegram: a connection gets updates after it made a request).
  struct SessionRef {
    int dc = 0;
    std::uint64_t key_id = 0;
    std::uint64_t session_id = 0;
    auto operator<=>(const SessionRef&) const = default;
  };
  struct Attachment {
    Connection* connection = nullptr;
    bool subscribed = false;
  };
  std::map<SessionRef, Attachment> attached;

  void attach(const SessionRef& ref, Connection* connection, bool wants_updates) {
    auto& a = attached[ref];
    if (a.connection != connection) a = Attachment{connection, false};
    a.subscribed = a.subscribed || wants_updates;
  }
  void detach(Connection* connection) {
    std::erase_if(attached, [&](const auto& entry) { return entry.second.connection == connection; });
  }
  void push_updates(std::int64_t user_id, ByteView updates, const mtproto::ServerSession* except) override;

  asio::awaitable<void> accept_loop(Dc& dc);
  asio::awaitable<void> serve(Dc& dc, std::shared_ptr<tcp::socket> socket);
};

namespace {

// Bytes read from a socket at once: what is waiting, within these bounds.
constexpr std::size_t kMinRead = 1024;
constexpr std::size_t kMaxRead = 64 * 1024;

/// One TCP connection: a transport codec in the server role, the handshakes run on it, and the
/// sessions it carried (told when it goes away).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, Dc& dc, std::shared_ptr<tcp::socket> socket)
      : server_(server), dc_(dc), socket_(std::move(socket)),
        codec_(mtproto::transport::Codec::server(server.transport, server.entropy, wall_now())),
        write_wakeup_(socket_->get_executor(), asio::steady_timer::time_point::max()) {}

  /// Sends what `session` has queued (a push from another connection's handler) once this
  /// connection's writer is free. The connection stays alive until then.
  void schedule_flush(mtproto::ServerSession& session) {
    asio::co_spawn(socket_->get_executor(), flush_later(shared_from_this(), &session), asio::detached);
  }

  asio::awaitable<void> run() {
    while (socket_->is_open()) {
      // NOTE: wait for bytes before taking a receive buffer, and free it once every frame is
      // handled: an idle connection then holds none (docs/performance.md, "Server load"). The
      // wait is a one-byte peek, not async_wait: Asio's wait is not speculative, so under
      // edge-triggered epoll it misses bytes that arrived while the frames were handled.
      Byte peeked = 0;
      auto [wait_ec, ignored] = co_await socket_->async_receive(asio::buffer(&peeked, 1), tcp::socket::message_peek, kTuple);
      if (wait_ec) break;
      std::error_code available_ec;
      const std::size_t available = socket_->available(available_ec);
      auto space = codec_.prepare(std::clamp<std::size_t>(available, kMinRead, kMaxRead));
      if (space.empty()) break;
      auto [ec, n] = co_await socket_->async_read_some(asio::buffer(space.data(), space.size()), kTuple);
      if (ec) break;
      codec_.commit(n);
      if (!co_await drain()) break;
      codec_.release_receive_buffer();  // (kept while a partial frame waits for its rest)
    }
    // No push may be taken out of a session for this connection any more: what it sent and
    // was not acknowledged goes again on the next one.
    finished_ = true;
    server_.detach(this);
    for (auto* session : sessions_) session->on_connection_lost();
    std::error_code ignored;
    socket_->close(ignored);
  }

 private:
  // Handles every complete frame; false when the connection must close.
  asio::awaitable<bool> drain() {
    while (true) {
      auto unpacked = codec_.unpack();
      if (!unpacked) co_return false;  // garbage, wrong secret, broken framing: close
      if (std::holds_alternative<mtproto::transport::NeedMoreBytes>(*unpacked)) co_return true;
      if (auto* reply = std::get_if<mtproto::transport::HandshakeReply>(&*unpacked)) {
        if (!co_await write(ByteView(reply->bytes))) co_return false;
        continue;
      }
      auto* frame = std::get_if<mtproto::transport::Frame>(&*unpacked);
      if (!frame) continue;
      if (server_.config.knobs.drop_after > 0 && ++frames_ > server_.config.knobs.drop_after) co_return false;
      if (!co_await on_frame(frame->payload)) co_return false;
    }
  }

  asio::awaitable<bool> on_frame(MutableByteView payload) {
    auto key_id = mtproto::packet_auth_key_id(payload);
    if (!key_id) co_return false;
    if (*key_id == 0) co_return co_await on_plain(payload);
    AuthRecord* record = dc_.keys.find(*key_id);
    if (!record) {
      // The protocol's answer to an unknown key: transport error -404, then close.
      Buffer out(0, 16);
      co_await lock_writes();
      codec_.pack_transport_error(out, mtproto::transport::kErrorAuthKeyNotFound);
      co_await write_raw(out.view());
      unlock_writes();
      co_return false;
    }
    auto message = mtproto::decrypt_message(record->key, mtproto::Direction::client_to_server, payload);
    if (!message) co_return false;  // SECURITY: a packet that fails msg_key or length checks ends the connection
    auto& session = dc_.keys.session(*record, message->header.session_id);
    sessions_.insert(&session);
    auto now = wall_now();
    auto events = session.on_message(*message, now);
    if (!events) co_return false;
    for (const auto& request : events->requests) {
      if (server_.config.knobs.delay_ms > 0) {
        asio::steady_timer timer(socket_->get_executor(), std::chrono::milliseconds(server_.config.knobs.delay_ms));
        co_await timer.async_wait(kTuple);
      }
      answer(*record, session, request, now);
    }
    co_return co_await flush(session);
  }

  void answer(AuthRecord& record, mtproto::ServerSession& session, const mtproto::IncomingRequest& request, Time now) {
    dc_.keys.touch(record);  // for the SQLite store: this query may change what the key carries
    Call call{.dc = dc_.id,
              .dcs = server_.config.dcs,
              .base_port = server_.dcs.front().acceptor.local_endpoint().port(),
              .host = server_.config.host,
              .auth = record,
              .permanent = dc_.keys.permanent_of(record),
              .state = server_.state,
              .config = server_.config,
              .now = now,
              .keys = &dc_.keys,
              .session = &session,
              .hooks = &server_,
              .msg_id = request.msg_id,
              .entropy = &server_.entropy};
    std::string log;
    auto a = server_.dispatcher.handle(call, request.body, server_.config.log_queries ? &log : nullptr);
    // Write-through (--data): what the query changed is on disk before its answer goes out.
    if (!server_.save_state()) a = Answer::fail(500, "STATE_NOT_SAVED_ON_TEST_SERVER");
    if (server_.config.log_queries) {
      std::fprintf(stderr, "dc%d key=%016llx msg=%lld %s -> %s\n", dc_.id, static_cast<unsigned long long>(record.key.id()),
                   static_cast<long long>(request.msg_id), log.c_str(),
                   a.error ? (std::to_string(a.error->code) + " " + a.error->message()).c_str() : "ok");
    }
    if (a.error) session.reply_error(request.msg_id, a.error->code, a.error->message());
    else session.reply(request.msg_id, a.result);
    server_.attach({dc_.id, record.key.id(), session.session_id()}, this, !call.without_updates);
  }

  asio::awaitable<bool> flush(mtproto::ServerSession& session) {
    co_await lock_writes();
    bool ok = !finished_;
    while (ok) {
      auto packet = session.take_outgoing(wall_now(), codec_.headroom());
      if (!packet) break;
      codec_.pack(*packet);
      ok = co_await write_raw(packet->view());
    }
    unlock_writes();
    co_return ok;
  }

  static asio::awaitable<void> flush_later(std::shared_ptr<Connection> self, mtproto::ServerSession* session) {
    co_await self->flush(*session);
  }

  asio::awaitable<bool> on_plain(MutableByteView payload) {
    if (!handshake_) {
      mtproto::handshake::ServerHandshakeConfig config;
      config.keys.push_back(*server_.rsa);
      config.key_exists = [this](std::uint64_t id) { return dc_.keys.contains(id); };
      handshake_.emplace(std::move(config));
    }
    auto step = handshake_->on_message(payload, wall_now(), server_.entropy);
    if (!step) co_return false;
    if (step->done) {
      const auto& k = step->done->key;
      auto& record = dc_.keys.add(k.auth_key, k.kind == mtproto::handshake::KeyKind::temporary, k.expires_at);
      // The spec: the first salt is new_nonce[0..8) ^ server_nonce[0..8); clients use it at once.
      record.salts->adopt_current(k.server_salt, wall_now());
      if (!server_.save_state()) co_return false;  // a key not on disk would be unknown after a restart
    }
    if (!step->send.empty()) {
      Buffer out(codec_.headroom(), step->send.size() + 64);
      out.append(step->send);
      co_await lock_writes();
      codec_.pack(out);
      bool ok = co_await write_raw(out.view());
      unlock_writes();
      if (!ok) co_return false;
    }
    if (step->done || step->failure) handshake_.reset();  // a connection may run several handshakes
    co_return true;
  }

  asio::awaitable<bool> write(ByteView bytes) {
    co_await lock_writes();
    bool ok = co_await write_raw(bytes);
    unlock_writes();
    co_return ok;
  }

  // Writes go one at a time: pushes from other connections' handlers write here too, and the
  // transport must pack packets in the order they go out (obfuscated2's keystream, seq numbers
  // of the full transport). Pack and write with the lock held; never two async_writes at once.
  asio::awaitable<void> lock_writes() {
    while (writing_) co_await write_wakeup_.async_wait(kTuple);  // woken by cancel()
    writing_ = true;
  }
  void unlock_writes() {
    writing_ = false;
    write_wakeup_.cancel();
  }
  asio::awaitable<bool> write_raw(ByteView bytes) {
    auto [ec, n] = co_await asio::async_write(*socket_, asio::buffer(bytes.data(), bytes.size()), kTuple);
    co_return !ec;
  }

  Server::Impl& server_;
  Dc& dc_;
  std::shared_ptr<tcp::socket> socket_;
  mtproto::transport::Codec codec_;
  std::optional<mtproto::handshake::ServerHandshake> handshake_;
  asio::steady_timer write_wakeup_;  ///< never expires; cancelled to wake writers waiting for the lock
  bool writing_ = false;
  bool finished_ = false;
  std::set<mtproto::ServerSession*> sessions_;
  int frames_ = 0;
};

}  // namespace

asio::awaitable<void> Server::Impl::accept_loop(Dc& dc) {
  while (true) {
    auto [ec, socket] = co_await dc.acceptor.async_accept(kTuple);
    if (ec) co_return;
    // NOTE: MTProto is request/response with small packets: Nagle's algorithm would hold an
    // answer back until the client's delayed ACK (tens of ms per round trip).
    std::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto shared = std::make_shared<tcp::socket>(std::move(socket));
    sockets.push_back(shared);
    asio::co_spawn(io, serve(dc, shared), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::serve(Dc& dc, std::shared_ptr<tcp::socket> socket) {
  // One bad connection never affects another: each runs alone, and ends on its own errors.
  // Shared: a push scheduled by another connection keeps it alive until its flush ran.
  auto connection = std::make_shared<Connection>(*this, dc, std::move(socket));
  co_await connection->run();
}

void Server::Impl::push_updates(std::int64_t user_id, ByteView updates, const mtproto::ServerSession* except) {
  std::map<int, Bytes> by_layer;  // converted once per client layer
  for (auto& [ref, at] : attached) {
    if (!at.subscribed) continue;
    auto* keys = dc_keys(ref.dc);
    auto* record = keys ? keys->find(ref.key_id) : nullptr;
    auto* permanent = record ? keys->permanent_of(*record) : nullptr;
    if (!permanent || permanent->user_id != user_id) continue;
    auto found = record->sessions.find(ref.session_id);
    if (found == record->sessions.end() || found->second.get() == except) continue;
    int layer = record->client ? record->client->layer : schemas::kLatestLayer;
    auto bytes = by_layer.find(layer);
    if (bytes == by_layer.end()) bytes = by_layer.emplace(layer, updates_for_layer(updates, layer)).first;
    if (bytes->second.empty()) continue;
    found->second->push(bytes->second);
    at.connection->schedule_flush(*found->second);
  }
}

namespace {

// Binds every DC's acceptor: DC i on base + i - 1 (base 0: DC 1 on a free port, the others after
// it). Returns "" or why not, with every acceptor closed again.
std::string listen_all(Server::Impl& impl, const asio::ip::address& address, std::uint16_t base) {
  std::error_code ec;
  for (auto& dc : impl.dcs) {
    std::uint16_t port = base == 0 ? 0 : static_cast<std::uint16_t>(base + dc.id - 1);
    if (base == 0 && dc.id > 1) port = static_cast<std::uint16_t>(impl.dcs.front().acceptor.local_endpoint().port() + dc.id - 1);
    tcp::endpoint endpoint(address, port);
    dc.acceptor.open(endpoint.protocol(), ec);
    if (!ec) dc.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) dc.acceptor.bind(endpoint, ec);
    if (!ec) dc.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      for (auto& d : impl.dcs) {
        std::error_code ignored;
        d.acceptor.close(ignored);
      }
      return "cannot listen on " + impl.config.host + ":" + std::to_string(port) + ": " + ec.message();
    }
  }
  return {};
}

}  // namespace

namespace {

// --data DIR: opens DIR/telepp.sqlite and rebuilds the state from it. The RSA key defaults to
// DIR/server.pem, so the fingerprint clients trust survives restarts too.
Status open_store(Server::Impl& impl) {
  auto store = Persistence::open(impl.config.data_dir);
  if (!store) return fail(store.take_error());
  TELEPP_TRY((*store)->load(impl.state, impl.dc_key_list()));
  impl.store = std::move(*store);
  if (impl.config.rsa_key_path.empty()) {
    impl.config.rsa_key_path = (std::filesystem::path(impl.config.data_dir) / "server.pem").string();
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Server>> Server::start(ServerConfig config) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  if (!impl->config.proxy_secret.empty()) {
    auto secret = mtproto::transport::ProxySecret::from_string(impl->config.proxy_secret);
    if (!secret) return fail(Error(ErrorDomain::server, 4, "bad proxy secret: " + secret.error().to_string()));
    impl->transport.secret = std::move(*secret);
    impl->transport.also_without_secret = true;
  }
  impl->transport.replay_cache = &impl->replay_cache;
  for (int i = 1; i <= impl->config.dcs; ++i) impl->dcs.emplace_back(i, impl->io, impl->entropy);
  if (!impl->config.data_dir.empty()) TELEPP_TRY(open_store(*impl));
  auto key = load_or_create_key(impl->config.rsa_key_path);
  if (!key) return fail(key.take_error());
  impl->rsa = std::move(*key);
  if (!impl->config.public_key_out.empty()) TELEPP_TRY(write_text(impl->config.public_key_out, impl->rsa->public_key().to_pem()));
  std::error_code ec;
  auto address = asio::ip::make_address(impl->config.host, ec);
  if (ec) return fail(Error(ErrorDomain::server, 2, "bad listen address " + impl->config.host));
  // NOTE: with port 0 the kernel picks DC 1's port and the others take the next ones, which
  // another process may hold (they are in the ephemeral range): pick again a few times.
  const int attempts = impl->config.port == 0 ? 20 : 1;
  std::string failure;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    failure = listen_all(*impl, address, impl->config.port);
    if (failure.empty()) break;
  }
  if (!failure.empty()) return fail(Error(ErrorDomain::server, 3, failure));
  for (auto& dc : impl->dcs) asio::co_spawn(impl->io, impl->accept_loop(dc), asio::detached);
  auto* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  asio::post(impl_->io, [impl = impl_.get()] {
    for (auto& dc : impl->dcs) {
      std::error_code ignored;
      dc.acceptor.close(ignored);
    }
    for (auto& weak : impl->sockets) {
      if (auto s = weak.lock()) {
        std::error_code ignored;
        s->close(ignored);
      }
    }
  });
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->save_state(/*at_stop=*/true);  // what moves on every query without being a change (date_active)
}

std::string Server::host() const { return impl_->config.host; }

std::uint16_t Server::port(int dc) const {
  int i = 1;
  for (const auto& d : impl_->dcs) {
    if (i++ == dc) return d.acceptor.local_endpoint().port();
  }
  return 0;
}

int Server::dcs() const { return impl_->config.dcs; }

std::string Server::fingerprint_hex() const {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(impl_->rsa->public_key().fingerprint()));
  return buf;
}

std::string Server::public_key_pem() const { return impl_->rsa->public_key().to_pem(); }

void Server::set_knobs(Knobs knobs) {
  std::promise<void> done;
  asio::post(impl_->io, [&] {
    impl_->config.knobs = std::move(knobs);
    done.set_value();
  });
  done.get_future().wait();
}

std::size_t Server::auth_key_count(int dc) const {
  std::promise<std::size_t> result;
  asio::post(impl_->io, [&] {
    int i = 1;
    std::size_t n = 0;
    for (auto& d : impl_->dcs) {
      if (i++ == dc) n = d.keys.size();
    }
    result.set_value(n);
  });
  return result.get_future().get();
}

}  // namespace telepp::server
