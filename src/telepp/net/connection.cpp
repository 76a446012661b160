#include "telepp/net/connection.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>

#include <deque>
#include <map>

#include "telepp/crypto/os_entropy.hpp"
#include "telepp/mtproto/errc.hpp"
#include "telepp/net/errc.hpp"
#include "telepp/net/framed_socket.hpp"
#include "telepp/net/key_exchange.hpp"
#include "telepp/net/server_keys.hpp"
#include "telepp/net/signal.hpp"

namespace telepp::net {

/// The connection's state, shared by the caller's handle and the reader and writer coroutines
/// (which keep it alive until they end).
struct Connection::Impl : std::enable_shared_from_this<Impl> {
  /// An invoke waiting for its answer.
  struct Pending {
    explicit Pending(const asio::any_io_executor& executor) : done(executor) {}
    std::optional<Result<InvokeResult>> result;
    Signal done;
  };

  explicit Impl(asio::any_io_executor ex) : executor(std::move(ex)), writer_wake(executor), update_signal(executor) {}

  asio::awaitable<Status> establish(const ConnectOptions& options);
  asio::awaitable<Status> agree_key(const ConnectOptions& options);
  void start(const SavedKey& key);
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  void on_event(mtproto::SessionEvent& event);
  void complete(mtproto::RequestId id, Result<InvokeResult> result);
  void shut(Error reason);

  asio::any_io_executor executor;
  Entropy& entropy = crypto::os_entropy();
  std::optional<FramedSocket> socket;
  std::optional<SavedKey> agreed;  ///< the handshake's key, until the session starts
  std::optional<mtproto::AuthKey> key;
  std::optional<mtproto::ClientSession> session;
  std::map<mtproto::RequestId, std::shared_ptr<Pending>> pending;
  Signal writer_wake;  ///< the writer sleeps on it until the session's next deadline
  std::deque<Bytes> updates;
  Signal update_signal;
  int new_sessions = 0;
  bool open = true;
  bool timed_out = false;
  Error reason;
};

namespace {

constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

std::uint64_t random_session_id(Entropy& entropy) {
  Byte raw[8];
  entropy.fill(raw);
  return load_le64(raw);
}

// A packet the session refused that is dropped without closing: a replayed msg_id, or one outside
// the time window (the security guidelines say to ignore such messages).
bool ignorable(const Error& e) {
  return mtproto::is(e, mtproto::MtprotoErrc::duplicate_msg_id) || mtproto::is(e, mtproto::MtprotoErrc::bad_msg_id);
}

// The session's wall-clock deadline as a point on the steady clock the timers use.
asio::steady_timer::time_point steady_deadline(std::optional<Time> deadline) {
  if (!deadline) return asio::steady_timer::time_point::max();
  auto wait = std::chrono::duration_cast<asio::steady_timer::duration>(*deadline - wall_now());
  return asio::steady_timer::clock_type::now() + std::max(wait, asio::steady_timer::duration::zero());
}

}  // namespace

// --- connecting ---

asio::awaitable<Status> Connection::Impl::establish(const ConnectOptions& options) {
  auto transport = options.transport;
  // NOTE: an MTProxy routes by the DC id in the obfuscation init; a DC ignores it.
  if (transport.secret && transport.dc_id == 0) transport.dc_id = static_cast<std::int16_t>(options.dc_id);
  auto created = FramedSocket::create(executor, transport, entropy);
  if (!created) co_return fail(created.take_error());
  socket.emplace(std::move(*created));
  auto connected = co_await socket->connect(options.host, options.port);
  if (!connected) co_return connected;
  if (options.key) {
    agreed = *options.key;
    co_return Status{};
  }
  co_return co_await agree_key(options);
}

asio::awaitable<Status> Connection::Impl::agree_key(const ConnectOptions& options) {
  mtproto::handshake::ClientHandshakeConfig config;
  config.dc_id = options.dc_id;
  auto keys = parse_server_keys(options.server_keys_pem);
  if (!keys) co_return fail(keys.take_error());
  for (const auto& k : *keys) config.trust(k);
  auto result = co_await exchange_key(*socket, std::move(config), entropy);
  if (!result) co_return fail(result.take_error());
  agreed = SavedKey{.key = result->key.auth_key, .salt = result->key.server_salt, .time_offset = result->time_offset};
  co_return Status{};
}

void Connection::Impl::start(const SavedKey& saved) {
  key = saved.key;
  session.emplace(saved.key, random_session_id(entropy), saved.salt, entropy);
  session->set_time_offset(saved.time_offset);
  auto self = shared_from_this();
  // Each loop holds the state alive until it ends (after `shut`).
  asio::co_spawn(executor, [self]() { return self->read_loop(); }, asio::detached);
  asio::co_spawn(executor, [self]() { return self->write_loop(); }, asio::detached);
}

asio::awaitable<Result<Connection>> Connection::connect(ConnectOptions options) {
  auto impl = std::make_shared<Impl>(co_await asio::this_coro::executor);
  if (!options.key && options.server_keys_pem.empty()) {
    co_return net_fail(NetErrc::bad_options, "neither a saved key nor trusted server keys");
  }
  // A watchdog: closing the socket aborts whatever step is under way.
  asio::steady_timer watchdog(impl->executor, options.connect_timeout);
  watchdog.async_wait([impl](std::error_code ec) {
    if (ec || !impl->socket) return;
    impl->timed_out = true;
    impl->socket->close();
  });
  auto established = co_await impl->establish(options);
  watchdog.cancel();
  if (impl->timed_out) co_return net_fail(NetErrc::timeout, "connect and handshake took over the connect_timeout");
  if (!established) co_return fail(established.take_error());
  impl->start(*impl->agreed);
  impl->agreed.reset();
  co_return Connection(std::move(impl));
}

// --- the session's loops ---

asio::awaitable<void> Connection::Impl::read_loop() {
  while (open) {
    auto frame = co_await socket->read_frame();
    if (!open) break;
    if (!frame) {
      shut(frame.take_error());
      break;
    }
    auto events = session->on_packet(*frame, wall_now());
    if (!events && ignorable(events.error())) continue;
    if (!events) {
      // SECURITY: a packet failing the key, msg_key or session checks is not from our server,
      // or the stream is corrupt: nothing after it can be trusted either.
      shut(net_error(NetErrc::protocol, events.error().to_string()));
      break;
    }
    for (auto& event : *events) on_event(event);
    writer_wake.notify();  // acks, resends after bad_server_salt, ...
  }
}

asio::awaitable<void> Connection::Impl::write_loop() {
  while (open) {
    // NOTE: only this loop writes, so packets leave in the order the codec packed them
    // (obfuscated2's keystream, the full transport's seq numbers).
    while (auto packet = session->take_outgoing(wall_now(), socket->headroom())) {
      auto sent = co_await socket->write_packet(*packet);
      if (!open) co_return;
      if (!sent) {
        shut(sent.take_error());
        co_return;
      }
    }
    co_await writer_wake.wait_until(steady_deadline(session->next_deadline()));
  }
}

void Connection::Impl::on_event(mtproto::SessionEvent& event) {
  if (auto* r = std::get_if<mtproto::RpcResultEvent>(&event)) {
    complete(r->request, InvokeResult{.answer = std::move(r->result), .rpc_error = std::nullopt});
  } else if (auto* e = std::get_if<mtproto::RpcErrorEvent>(&event)) {
    complete(e->request, InvokeResult{.answer = {}, .rpc_error = std::move(e->error)});
  } else if (auto* f = std::get_if<mtproto::RequestFailedEvent>(&event)) {
    complete(f->request, fail(std::move(f->error)));
  } else if (auto* u = std::get_if<mtproto::UpdateEvent>(&event)) {
    updates.push_back(std::move(u->body));
    update_signal.notify();
  } else if (std::holds_alternative<mtproto::NewSessionEvent>(event)) {
    ++new_sessions;
  }
  // BadMessageEvent: the session already answered what it could; nothing waits on it.
}

void Connection::Impl::complete(mtproto::RequestId id, Result<InvokeResult> result) {
  auto it = pending.find(id);
  if (it == pending.end()) return;  // answered after the caller stopped waiting
  it->second->result.emplace(std::move(result));
  it->second->done.notify();
  pending.erase(it);
}

void Connection::Impl::shut(Error why) {
  if (!open) return;
  open = false;
  reason = std::move(why);
  if (socket) socket->close();
  writer_wake.notify();
  update_signal.notify();
  auto waiting = std::move(pending);
  pending.clear();
  // TODO: reconnect instead (ClientSession::on_connection_lost resends on a new connection);
  // until then every waiting invoke fails with the reason.
  for (auto& [id, p] : waiting) {
    p->result.emplace(fail(reason));
    p->done.notify();
  }
}

// --- the handle ---

Connection::Connection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Connection::~Connection() { close(); }

asio::awaitable<Result<InvokeResult>> Connection::invoke(Bytes boxed_query) {
  auto impl = impl_;  // alive while we wait, even if the handle goes away
  if (!impl->open) co_return fail(impl->reason);
  auto id = impl->session->enqueue(std::move(boxed_query));
  auto waiting = std::make_shared<Impl::Pending>(impl->executor);
  impl->pending.emplace(id, waiting);
  impl->writer_wake.notify();
  while (!waiting->result) co_await waiting->done.wait();
  co_return std::move(*waiting->result);
}

asio::awaitable<Result<Bytes>> Connection::next_update(std::chrono::milliseconds timeout) {
  auto impl = impl_;
  auto deadline = asio::steady_timer::clock_type::now() + timeout;
  while (impl->updates.empty()) {
    if (!impl->open) co_return fail(impl->reason);
    if (asio::steady_timer::clock_type::now() >= deadline) co_return net_fail(NetErrc::timeout, "no update came");
    co_await impl->update_signal.wait_until(deadline);
  }
  Bytes body = std::move(impl->updates.front());
  impl->updates.pop_front();
  co_return body;
}

std::size_t Connection::queued_updates() const { return impl_->updates.size(); }
int Connection::new_sessions() const { return impl_->new_sessions; }

SavedKey Connection::saved_key() const {
  return SavedKey{.key = *impl_->key, .salt = impl_->session->salt(), .time_offset = impl_->session->time_offset()};
}

bool Connection::is_open() const { return impl_ && impl_->open; }
Error Connection::close_reason() const { return impl_ ? impl_->reason : net_error(NetErrc::closed, "moved from"); }

void Connection::close() {
  if (impl_) impl_->shut(net_error(NetErrc::closed, "closed by the caller"));
}

}  // namespace telepp::net
